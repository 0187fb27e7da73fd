fn main() {
    // Locale files are read by a macro at compile time; rebuild when they change.
    println!("cargo:rerun-if-changed=locales");
}
