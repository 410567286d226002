//! Colours that survive grey print: every ramp steps strictly in lightness, so shades stay
//! apart when the hue is gone, and every coloured mark also carries its number.

/// An sRGB colour.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rgb(pub u8, pub u8, pub u8);

impl Rgb {
    /// `#rrggbb`.
    #[must_use]
    pub fn hex(self) -> String {
        format!("#{:02x}{:02x}{:02x}", self.0, self.1, self.2)
    }

    /// Relative luminance (WCAG): 0 for black, 1 for white.
    #[must_use]
    pub fn luminance(self) -> f64 {
        0.2126 * to_linear(self.0) + 0.7152 * to_linear(self.1) + 0.0722 * to_linear(self.2)
    }

    /// Text colour readable on this background: the one with the larger contrast.
    #[must_use]
    pub fn ink(self) -> &'static str {
        // Contrast with white equals contrast with black at luminance 0.179.
        if self.luminance() < 0.179 {
            "#ffffff"
        } else {
            "#111111"
        }
    }
}

fn to_linear(c: u8) -> f64 {
    let c = f64::from(c) / 255.0;
    if c <= 0.040_45 {
        c / 12.92
    } else {
        ((c + 0.055) / 1.055).powf(2.4)
    }
}

fn from_linear(x: f64) -> u8 {
    let x = x.clamp(0.0, 1.0);
    let c = if x <= 0.003_130_8 {
        12.92 * x
    } else {
        1.055 * x.powf(1.0 / 2.4) - 0.055
    };
    (c * 255.0).round() as u8
}

/// Luminance of CIE lightness `l` (0..=100).
fn luminance_of_lightness(l: f64) -> f64 {
    let f = (l + 16.0) / 116.0;
    if f > 6.0 / 29.0 { f * f * f } else { l / 903.3 }
}

/// The colour of lightness `l` on the ramp through `stops` (darkest first, each lighter than
/// the one before). Mixing two stops in linear light makes luminance linear in the mix, so the
/// mix is solved for exactly, and lightness is strictly monotone along the ramp.
fn ramp(stops: &[Rgb], l: f64) -> Rgb {
    let y = luminance_of_lightness(l);
    let i = stops
        .windows(2)
        .position(|w| y <= w[1].luminance())
        .unwrap_or(stops.len() - 2);
    let (dark, light) = (stops[i], stops[i + 1]);
    let (y0, y1) = (dark.luminance(), light.luminance());
    let t = ((y - y0) / (y1 - y0)).clamp(0.0, 1.0);
    let mix = |a: u8, b: u8| from_linear(to_linear(a) + t * (to_linear(b) - to_linear(a)));
    Rgb(
        mix(dark.0, light.0),
        mix(dark.1, light.1),
        mix(dark.2, light.2),
    )
}

/// Weight classes are drawn from dark red (heaviest) through orange to pale yellow.
const WEIGHT_RAMP: [Rgb; 4] = [
    Rgb(103, 0, 13),
    Rgb(215, 48, 31),
    Rgb(252, 141, 89),
    Rgb(254, 240, 170),
];
/// Hours are drawn from deep blue (most) to the palest blue.
const HEAT_RAMP: [Rgb; 3] = [Rgb(8, 48, 107), Rgb(66, 146, 198), Rgb(239, 246, 255)];
/// Lightness of the heaviest and of the lightest class: far enough from black that the
/// number on it reads, far enough from white that the swatch shows on paper.
const WEIGHT_LIGHTNESS: (f64, f64) = (28.0, 90.0);
/// More shades than this are no longer told apart in grey, so weights are grouped.
pub const MAX_WEIGHT_CLASSES: usize = 8;

/// The distinct duty weights, heaviest first, grouped into at most [`MAX_WEIGHT_CLASSES`]
/// classes, each with its own shade.
#[derive(Clone, Debug)]
pub struct WeightClasses {
    /// (heaviest, lightest) weight of each class, heaviest class first.
    ranges: Vec<(f64, f64)>,
}

impl WeightClasses {
    /// Classes of `weights` (repeats and order do not matter).
    pub fn new(weights: impl IntoIterator<Item = f64>) -> Self {
        let mut w: Vec<f64> = weights.into_iter().filter(|w| w.is_finite()).collect();
        w.sort_by(|a, b| b.total_cmp(a));
        w.dedup_by(|a, b| a.to_bits() == b.to_bits());
        let groups = w.len().min(MAX_WEIGHT_CLASSES);
        let ranges = (0..groups)
            .map(|g| {
                let (from, to) = (g * w.len() / groups, (g + 1) * w.len() / groups);
                (w[from], w[to - 1])
            })
            .collect();
        Self { ranges }
    }

    /// Number of classes.
    pub fn len(&self) -> usize {
        self.ranges.len()
    }

    /// The class of weight `w` (the lightest class for a weight that is not listed).
    pub fn class_of(&self, w: f64) -> usize {
        self.ranges
            .iter()
            .position(|&(_, lo)| w >= lo)
            .unwrap_or(self.ranges.len().saturating_sub(1))
    }

    /// The shade of class `k`: strictly lighter for each lighter class.
    pub fn colour(&self, k: usize) -> Rgb {
        let (dark, light) = WEIGHT_LIGHTNESS;
        let l = if self.ranges.len() <= 1 {
            f64::midpoint(dark, light)
        } else {
            dark + (light - dark) * k as f64 / (self.ranges.len() - 1) as f64
        };
        ramp(&WEIGHT_RAMP, l)
    }

    /// `10`, or `3–4` for a group of weights.
    pub fn label(&self, k: usize) -> String {
        let (hi, lo) = self.ranges[k];
        if hi.to_bits() == lo.to_bits() {
            crate::model::decimal(hi)
        } else {
            format!(
                "{}–{}",
                crate::model::decimal(lo),
                crate::model::decimal(hi)
            )
        }
    }
}

/// Heatmap shade for `x` in 0..=1: pale blue to deep blue, darker for more hours.
pub fn heat(x: f64) -> Rgb {
    ramp(&HEAT_RAMP, 96.0 - 70.0 * x.clamp(0.0, 1.0))
}

#[cfg(test)]
mod tests {
    use super::{Rgb, WeightClasses, heat};

    fn lightness(c: Rgb) -> f64 {
        let y = c.luminance();
        if y > 0.008_856 {
            116.0 * y.cbrt() - 16.0
        } else {
            903.3 * y
        }
    }

    #[test]
    fn weight_shades_step_strictly_in_lightness_for_any_number_of_classes() {
        for n in 1..=20 {
            let classes = WeightClasses::new((1..=n).map(f64::from));
            assert_eq!(classes.len(), n.min(8) as usize);
            let l: Vec<f64> = (0..classes.len())
                .map(|k| lightness(classes.colour(k)))
                .collect();
            for pair in l.windows(2) {
                assert!(pair[1] - pair[0] > 8.0, "{n} classes: {l:?}");
            }
        }
    }

    #[test]
    fn grouped_weights_keep_every_weight_in_one_class() {
        let classes = WeightClasses::new((1..=12).map(f64::from));
        assert_eq!(classes.label(0), "12");
        assert_eq!(classes.label(1), "10–11");
        assert_eq!(classes.class_of(10.5), 1);
        assert_eq!(classes.class_of(1.0), 7);
        assert_eq!(classes.label(7), "1–2");
        let one = WeightClasses::new([5.0, 5.0]);
        assert_eq!(
            (one.len(), one.label(0), one.class_of(5.0)),
            (1, "5".into(), 0)
        );
    }

    #[test]
    fn heat_darkens_with_hours_and_keeps_its_numbers_readable() {
        let mut last = f64::INFINITY;
        for i in 0..=10 {
            let c = heat(f64::from(i) / 10.0);
            assert!(c.luminance() < last);
            last = c.luminance();
        }
        assert_eq!(heat(0.0).ink(), "#111111");
        assert_eq!(heat(1.0).ink(), "#ffffff");
    }
}
