//! The `cmgelog` binary: parse options, run the command, exit with its code.

mod cli;
#[cfg(windows)]
mod gui;

use std::process::ExitCode;

fn main() -> ExitCode {
    // Double-clicked in Explorer: the window instead of the console wizard (gui/launch.rs).
    #[cfg(windows)]
    if gui::launch::double_clicked() {
        return ExitCode::from(gui::run());
    }
    let cli = cli::help::parse();
    ExitCode::from(cli::run(cli))
}
