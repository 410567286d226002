//! Random instances for the engine's unit tests: the generator of the property tests (same
//! seeds, same instances), included from the one file both use.

use std::collections::BTreeMap;

use crate::io::{
    RawCounterpart, RawDuty, RawInstance, RawModule, RawRules, RawSkill, RawStaff, RawUnit,
    validate,
};
use crate::model::Instance;
use crate::rng::Rng;

include!("../../tests/common/random.rs");
