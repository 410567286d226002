#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| modstaff_fuzz::workbook_xlsx(data));
