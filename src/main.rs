use std::process::ExitCode;

fn main() -> ExitCode {
    threatline::cli::main()
}
