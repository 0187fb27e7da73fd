fn main() {
    // The migrations are embedded by a macro at compile time; rebuild when they change.
    println!("cargo:rerun-if-changed=../migrations");
}
