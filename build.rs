//! Rebuilds the crate when a file of the built-in theme or the `init`
//! scaffold changes, since both are compiled into the binary.

fn main() {
    println!("cargo:rerun-if-changed=themes/default");
    println!("cargo:rerun-if-changed=src/scaffold");
}
