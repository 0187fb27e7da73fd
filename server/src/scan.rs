//! QR labels drawn (SVG, PNG), and the child process that reads a photo (the reading itself is
//! the `photo` crate's).

use image::DynamicImage;
use photo::{decode_photo, PhotoError};
use qrcode::{EcLevel, QrCode};
use std::io::Cursor;

/// Error correction of printed labels: level M restores up to 15% of the code (scratches,
/// dirt, a glare spot) and keeps the code one size smaller than Q would.
pub const LABEL_EC: EcLevel = EcLevel::M;
/// Pixel sizes a label image may be asked for.
pub const LABEL_SIZES: std::ops::RangeInclusive<u32> = 128..=2048;
/// Fewest pixels a module: below two, a code's edges blur when it is scaled or printed.
const MIN_MODULE_PX: u32 = 2;
pub const DEFAULT_LABEL_SIZE: u32 = 512;

fn label_code(text: &str) -> Result<QrCode, qrcode::types::QrError> {
    QrCode::with_error_correction_level(text, LABEL_EC)
}

/// Whole pixels a module so that the code and its 4-module quiet zone fit in `size`.
fn module_px(code: &QrCode, size: u32) -> u32 {
    (size / (code.width() as u32 + 8)).max(MIN_MODULE_PX)
}

/// Pixels a module of `text`'s label drawn `size` pixels wide: labels asked for at sizes that
/// give the same module are the same picture. Found from the code's version alone, without
/// choosing its mask (most of the work of drawing).
pub fn label_module_px(text: &str, size: u32) -> Result<u32, qrcode::types::QrError> {
    let width = qrcode::bits::encode_auto(text.as_bytes(), LABEL_EC)?
        .version()
        .width();
    Ok((size / (width.max(0) as u32 + 8)).max(MIN_MODULE_PX))
}

/// The label as SVG, `size` pixels wide at most, with its quiet zone.
pub fn label_svg(text: &str, size: u32) -> Result<String, qrcode::types::QrError> {
    let code = label_code(text)?;
    let m = module_px(&code, size);
    Ok(code
        .render::<qrcode::render::svg::Color>()
        .module_dimensions(m, m)
        .quiet_zone(true)
        .build())
}

/// The label as a PNG, `size` pixels wide at most (whole pixels a module), with its quiet zone.
pub fn label_png(text: &str, size: u32) -> anyhow::Result<Vec<u8>> {
    let code = label_code(text)?;
    let m = module_px(&code, size);
    let img = code
        .render::<image::Luma<u8>>()
        .module_dimensions(m, m)
        .quiet_zone(true)
        .build();
    let mut out = Vec::new();
    DynamicImage::ImageLuma8(img).write_to(&mut Cursor::new(&mut out), image::ImageFormat::Png)?;
    Ok(out)
}

/// What a decoding child process writes on its standard output.
#[derive(serde::Serialize, serde::Deserialize)]
pub enum ChildAnswer {
    Codes(Vec<String>),
    Problem(String),
}

/// The most CPU a decoding child may use, in seconds, enforced by the kernel: a backstop for
/// when its own watch ([`decode_child`]) and its parent are both gone.
const CHILD_CPU_SECONDS: u64 = 5;

/// `robopass decode-photo CPU_MS`: read a photo on standard input, write a [`ChildAnswer`] as
/// JSON on standard output. Run by [`crate::routes::scan::Decoder`], one process a photo, so that
/// a photo whose reading runs over its budget can be stopped (a thread cannot be).
///
/// The budget is CPU time, not wall time: a photo reads in the same CPU time on a busy server
/// as on an idle one (a wall-clock budget made photos fail under load that read fine idle),
/// while a hostile one is stopped after the same work. A watching thread reads the process's
/// CPU clock every few milliseconds and answers `too_complex` once it is spent.
pub fn decode_child(cpu_ms: u64) -> std::process::ExitCode {
    use std::io::{Read, Write};
    use std::sync::atomic::{AtomicBool, Ordering};
    static ANSWERED: AtomicBool = AtomicBool::new(false);
    fn answer(a: &ChildAnswer) -> std::process::ExitCode {
        if ANSWERED.swap(true, Ordering::SeqCst) {
            return std::process::ExitCode::SUCCESS;
        }
        let written = serde_json::to_vec(a)
            .ok()
            .and_then(|json| std::io::stdout().lock().write_all(&json).ok());
        match written {
            Some(()) => std::process::ExitCode::SUCCESS,
            None => std::process::ExitCode::FAILURE,
        }
    }
    let cpu = rustix::process::Rlimit {
        current: Some(CHILD_CPU_SECONDS),
        maximum: Some(CHILD_CPU_SECONDS + 1),
    };
    if rustix::process::setrlimit(rustix::process::Resource::Cpu, cpu).is_err() {
        return std::process::ExitCode::FAILURE;
    }
    let budget = std::time::Duration::from_millis(cpu_ms);
    std::thread::spawn(move || loop {
        std::thread::sleep(std::time::Duration::from_millis(5));
        let used = rustix::time::clock_gettime(rustix::time::ClockId::ProcessCPUTime);
        let used = std::time::Duration::new(used.tv_sec.max(0) as u64, used.tv_nsec.max(0) as u32);
        if used >= budget {
            let _ = answer(&ChildAnswer::Problem(
                PhotoError::TooComplex.code().to_string(),
            ));
            std::process::exit(0);
        }
    });
    let mut bytes = Vec::new();
    if std::io::stdin()
        .take(photo::MAX_PHOTO_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .is_err()
    {
        return std::process::ExitCode::FAILURE;
    }
    answer(&match decode_photo(&bytes) {
        Ok(codes) => ChildAnswer::Codes(codes),
        Err(e) => ChildAnswer::Problem(e.code().to_string()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_label_png_decodes_back_at_every_size() {
        let text = "HTTPS://ROBOPASS.EXAMPLE/R/CNSEJ5SE027600000000000000001/ABCD.";
        let text = format!("{text}{}", "A".repeat(103));
        for size in [*LABEL_SIZES.start(), DEFAULT_LABEL_SIZE, *LABEL_SIZES.end()] {
            let png = label_png(&text, size).unwrap();
            assert_eq!(
                decode_photo(&png).unwrap(),
                vec![text.clone()],
                "size {size}"
            );
        }
    }

    #[test]
    fn the_module_size_is_known_before_drawing() {
        let text = format!(
            "HTTPS://ROBOPASS.EXAMPLE/R/CNSEJ5SE027600000000000000001/ABCD.{}",
            "A".repeat(103)
        );
        for size in [
            *LABEL_SIZES.start(),
            300,
            DEFAULT_LABEL_SIZE,
            1000,
            *LABEL_SIZES.end(),
        ] {
            let code = label_code(&text).unwrap();
            assert_eq!(
                label_module_px(&text, size).unwrap(),
                module_px(&code, size),
                "size {size}"
            );
        }
    }
}
