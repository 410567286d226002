#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| modstaff_fuzz::plan_sheets(data));
