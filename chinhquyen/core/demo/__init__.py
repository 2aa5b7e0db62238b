"""The demo province (Hưng Yên after the 2025 merger with Thái Bình): agencies, commune People's
Committees and one staff persona per role. For development and demonstration only; the
`load_demo` command refuses to run unless DEBUG is on. See docs/adr/0003."""
