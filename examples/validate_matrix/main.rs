//! `cargo run --example validate_matrix`: the MAP_SHARED_VALIDATE matrix.
//!
//! Asks the running kernel, through rawmap, every combination of mapping
//! type (rows), backing and extra flag (columns), prints what it answered,
//! then explains the cells that would surprise. The computation lives in
//! `matrix.rs`, which `tests/validate_matrix.rs` checks against libc.

mod matrix;

fn main() {
    let files = match matrix::Files::open() {
        Ok(files) => files,
        Err(why) => {
            eprintln!("validate_matrix: cannot prepare the backings: {why}");
            std::process::exit(1);
        }
    };
    let matrix = match matrix::Matrix::ask_kernel(&files) {
        Ok(matrix) => matrix,
        Err(why) => {
            eprintln!("validate_matrix: {why}");
            std::process::exit(1);
        }
    };
    print!("{}", matrix.render_table());
    println!();
    print!("{}", matrix.render_notes());
}
