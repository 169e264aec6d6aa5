fn main() { let password = get_password(); }
