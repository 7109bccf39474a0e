//! `huzhu-agent`: run it on the PC with the card reader; the portal's sign-in page finds it.

use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use clap::Parser;
use huzhu_agent::card::{Agent, DEFAULT_IDLE};
use huzhu_agent::server::{AgentState, DEFAULT_PORTS, router};
use tracing_subscriber::filter::LevelFilter;

#[derive(Parser)]
#[command(version, about = "The local signing component for the portal's card sign-in.")]
struct Args {
    /// The card's PKCS#11 module: the vendor's for HCA cards, or SoftHSM2's for tests.
    #[arg(long, env = "HUZHU_AGENT_MODULE")]
    module: PathBuf,
    /// A portal origin allowed to use the card (e.g. https://nurse.example.gov.tw). Repeat for
    /// several.
    #[arg(long = "origin", env = "HUZHU_AGENT_ORIGINS", value_delimiter = ',', required = true)]
    origins: Vec<String>,
    /// Listen on this port only, instead of the first free one of 56445, 56545, 56645.
    #[arg(long)]
    port: Option<u16>,
    /// Seconds a PIN session may go unused before the card is logged out and the session closed.
    #[arg(long, env = "HUZHU_AGENT_SESSION_IDLE_SECONDS", default_value_t = DEFAULT_IDLE.as_secs(),
          value_parser = clap::value_parser!(u64).range(1..=3600))]
    session_idle_seconds: u64,
    /// How much to log: error, warn, info, debug or trace (or off). Never the PIN, at any level.
    #[arg(long, env = "HUZHU_AGENT_LOG", default_value = "info")]
    log: LevelFilter,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    // Colours only on a terminal, so a log redirected to a file reads plainly.
    let colours = std::io::IsTerminal::is_terminal(&std::io::stderr());
    tracing_subscriber::fmt().with_writer(std::io::stderr).with_ansi(colours).with_max_level(args.log).init();
    let ports = args.port.map_or(DEFAULT_PORTS.to_vec(), |port| vec![port]);
    let listener = bind(&ports).await?;
    let address = listener.local_addr().context("reading the listening address")?;
    // Tests and scripts read this line to learn the port.
    println!("huzhu-agent listening on http://{address}");
    let idle = Duration::from_secs(args.session_idle_seconds);
    let state = AgentState::new(Agent::new(args.module, idle), args.origins);
    state.spawn_idle_sweeper((idle / 4).max(Duration::from_secs(1)));
    axum::serve(listener, router(state)).await.context("serving")?;
    Ok(())
}

/// Binds 127.0.0.1 on the first port that is free: only this machine can reach the agent.
async fn bind(ports: &[u16]) -> anyhow::Result<tokio::net::TcpListener> {
    for port in ports {
        if let Ok(listener) =
            tokio::net::TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, *port))).await
        {
            return Ok(listener);
        }
    }
    anyhow::bail!("none of the ports {ports:?} on 127.0.0.1 is free")
}
