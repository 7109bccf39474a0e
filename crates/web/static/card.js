// HCA憑證登入 (and linking a card on the account page): finds the local component (HCA
// ServiSign or huzhu-agent) on the configured loopback origins, has the card sign the server's
// challenge after the PIN, and posts the certificate and signature back. The PIN goes only to
// the component on this computer, never to the portal.
"use strict";
(function () {
  var form = document.getElementById("card-form");
  if (!form) {
    return;
  }
  var envText = document.getElementById("card-env-text");
  var pinInput = document.getElementById("card-pin");
  var pinField = document.getElementById("card-pin-field");
  var pinError = document.getElementById("card-pin-error");
  var result = document.getElementById("card-result");
  var submit = document.getElementById("card-submit");
  var origins = (form.dataset.agents || "").split(/\s+/).filter(Boolean);
  var agent = null;
  var sessionId = "";

  // HCA error codes (DOMAIN.md §4.3) and the message each gets.
  var CODE_MESSAGES = { "9039": "msgWrongPin", "9043": "msgPinLocked", "9056": "msgNoCard" };

  function utf8Base64(text) {
    var bytes = new TextEncoder().encode(text);
    var binary = "";
    for (var i = 0; i < bytes.length; i++) {
      binary += String.fromCharCode(bytes[i]);
    }
    return btoa(binary);
  }

  function base64Utf8(encoded) {
    var binary = atob(encoded || "");
    var bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i++) {
      bytes[i] = binary.charCodeAt(i);
    }
    return new TextDecoder().decode(bytes);
  }

  // One ServiSign call: Parameter=<Base64 of the JSON>, answer.result is Base64.
  async function call(origin, fields) {
    var request = Object.assign({
      sessionid: sessionId,
      ServiSignTabMode: 0,
      ServiSignBrowser: "huzhu",
      InstallerName: "HCAServiSignAdapterSetup",
      AdapterJsonKeyCheck: true
    }, fields);
    var body = "Parameter=" + encodeURIComponent(utf8Base64(JSON.stringify(request)));
    var response = await fetch(origin, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: body,
      signal: AbortSignal.timeout(30000)
    });
    if (!response.ok) {
      throw new Error("agent " + response.status);
    }
    var answer = await response.json();
    return { value: base64Utf8(answer.result), answer: answer };
  }

  async function findAgent() {
    for (var i = 0; i < origins.length; i++) {
      try {
        var echo = await call(origins[i], { functionname: "Echo" });
        sessionId = echo.answer.SessionID ? base64Utf8(echo.answer.SessionID) : "";
        return origins[i];
      } catch (error) {
        // Not listening on this one; try the next.
      }
    }
    return null;
  }

  function showEnvironment() {
    envText.textContent = agent ? form.dataset.msgFound : form.dataset.msgMissing;
    envText.parentNode.classList.toggle("card-env-ok", Boolean(agent));
  }

  function showResult(message) {
    result.textContent = message;
    result.hidden = false;
    result.focus();
  }

  function showPinError(message) {
    pinError.textContent = message;
    pinError.hidden = false;
    pinField.classList.add("field-error");
    pinInput.setAttribute("aria-invalid", "true");
    pinInput.setAttribute("aria-describedby", "card-pin-hint card-pin-error");
    pinInput.focus();
  }

  function clearErrors() {
    pinError.hidden = true;
    pinField.classList.remove("field-error");
    pinInput.removeAttribute("aria-invalid");
    pinInput.setAttribute("aria-describedby", "card-pin-hint");
    result.hidden = true;
  }

  // A failed card step: the message for the component's last error code.
  function CardError(key) {
    this.key = key;
  }

  async function failWithLastError() {
    var code = (await call(agent, { functionname: "ATL_GetErrorCode" })).value;
    throw new CardError(CODE_MESSAGES[code] || "msgAgentError");
  }

  async function step(fields) {
    var answer = await call(agent, fields);
    if (answer.value === "0" || answer.value === "") {
      await failWithLastError();
    }
    return answer.value;
  }

  async function postForm(url, fields) {
    var data = new URLSearchParams(fields);
    data.set("csrf", form.elements.csrf.value);
    var response = await fetch(url, { method: "POST", body: data, credentials: "same-origin" });
    var body = await response.json().catch(function () { return {}; });
    return { ok: response.ok, body: body };
  }

  // The whole card conversation; returns the certificate and signature over the challenge.
  // Whatever fails, the PIN session and the module are closed, so no logged-in card session
  // stays open in the component after the page gives up.
  async function signChallenge(pin, challenge) {
    var module = await step({ functionname: "ATL_InitModule", libdir: "HCAPKCS11.dll" });
    var session = null;
    try {
      var type = (await call(agent, { functionname: "ATL_GetHCACardType", hModule: module })).value;
      if (type === "0") {
        throw new CardError("msgNotProfessional");
      }
      if (type !== "1") {
        await failWithLastError();
      }
      session = await step({
        functionname: "ATL_InitSession", hModule: module, flags: 6,
        userPin: utf8Base64(pin), userPin_ServiSignBase64Flag: true
      });
      var certificate = await step({
        functionname: "ATL_GetCertificateFromGPKICard", hModule: module, hSession: session, index: 1
      });
      var key = await step({
        functionname: "ATL_GetKeyObjectHandle", hModule: module, hSession: session, keyType: 0, keyId: "1"
      });
      var signature = await step({
        functionname: "ATL_MakeSignatureEx2", hModule: module, hSession: session, mechanism: 64, flags: 0,
        hKey: key, b64Data: utf8Base64(challenge), b64Data_ServiSignBase64Flag: true
      });
      return { certificate: certificate, signature: signature };
    } finally {
      if (session !== null) {
        await call(agent, { functionname: "ATL_CloseSession", hSession: session }).catch(function () {});
      }
      await call(agent, { functionname: "ATL_CloseModule", hModule: module }).catch(function () {});
    }
  }

  async function verify() {
    clearErrors();
    var pin = pinInput.value.trim();
    if (!/^[0-9]{6,8}$/.test(pin)) {
      showPinError(form.dataset.msgPinFormat);
      return;
    }
    if (!agent) {
      agent = await findAgent();
      showEnvironment();
      if (!agent) {
        showResult(form.dataset.msgMissing);
        return;
      }
    }
    submit.disabled = true;
    envText.textContent = form.dataset.msgWorking;
    try {
      var issued = await postForm(form.dataset.challengeUrl, {});
      if (issued.ok && issued.body.redirect) {
        window.location.assign(issued.body.redirect);
        return;
      }
      if (!issued.ok || !issued.body.challenge) {
        showResult(issued.body.message || form.dataset.msgNetwork);
        return;
      }
      var signed = await signChallenge(pin, issued.body.challenge);
      pinInput.value = "";
      var answer = await postForm(form.dataset.submitUrl, {
        challenge: issued.body.challenge, certificate: signed.certificate, signature: signed.signature
      });
      if (answer.ok && answer.body.redirect) {
        window.location.assign(answer.body.redirect);
        return;
      }
      showResult(answer.body.message || form.dataset.msgNetwork);
    } catch (error) {
      pinInput.value = "";
      if (error instanceof CardError && error.key === "msgWrongPin") {
        showPinError(form.dataset.msgWrongPin);
      } else if (error instanceof CardError) {
        showResult(form.dataset[error.key]);
      } else {
        showResult(form.dataset.msgAgentError);
      }
    } finally {
      submit.disabled = false;
      showEnvironment();
    }
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    verify();
  });
  findAgent().then(function (found) {
    agent = found;
    showEnvironment();
  });
})();
