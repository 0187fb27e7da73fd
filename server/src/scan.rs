//! QR labels drawn (SVG, PNG) and QR codes read from photos.

use image::{DynamicImage, ImageDecoder, ImageReader, Limits};
use qrcode::{EcLevel, QrCode};
use std::io::Cursor;

/// Largest photo accepted, in bytes (a 12-megapixel phone JPEG is 3–8 MB).
pub const MAX_PHOTO_BYTES: usize = 12 * 1024 * 1024;
/// Largest width or height a photo may declare. Checked from the header, before any pixel is
/// decoded, so a small file that claims to be enormous (a decompression bomb) costs nothing.
pub const MAX_PHOTO_SIDE: u32 = 12_000;
/// Most pixels a photo may have (phone cameras make 12–50 megapixels; 48+ MP ones save 12 MP
/// by default).
pub const MAX_PHOTO_PIXELS: u64 = 50_000_000;
/// Most memory the decoded pixels may take (a 12-megapixel RGB photo needs 36 MB; 50 MP in
/// 16-bit RGBA would need 400 MB and is refused).
const MAX_DECODE_BYTES: u64 = 256 * 1024 * 1024;
/// Sizes (longer side, pixels) a photo is shrunk to before looking for codes, smallest first.
/// rqrr finds a code at some scales and not at others (its finder-pattern scan is sensitive to
/// how module edges fall on pixels), so several are tried; a label filling a sixth of a phone
/// photo has 4+ pixels a module at the smallest. Fixed sizes, not a deadline, bound the work:
/// a busy server reads a photo exactly as an idle one does, only later.
const PASSES: [u32; 3] = [1200, 1600, 2000];

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

/// Why a photo could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PhotoError {
    /// More than [`MAX_PHOTO_BYTES`].
    TooLarge,
    /// Not a format we read (or not an image at all).
    NotAnImage,
    /// Declares more pixels than [`MAX_PHOTO_SIDE`] allows.
    TooManyPixels,
    /// An image, but broken.
    Unreadable,
    /// Read fine, but no QR code found in it.
    NoCode,
    /// Too many photos being read at once; try again.
    Busy,
    /// Reading it took longer than a photo's budget (see [`crate::scan_routes::Decoder`]):
    /// a picture full of code-like patterns.
    TooComplex,
    /// The upload stalled before the whole photo arrived.
    UploadStalled,
}

impl PhotoError {
    pub fn code(&self) -> &'static str {
        match self {
            PhotoError::TooLarge => "too_large",
            PhotoError::NotAnImage => "not_an_image",
            PhotoError::TooManyPixels => "too_many_pixels",
            PhotoError::Unreadable => "unreadable_image",
            PhotoError::NoCode => "no_code_found",
            PhotoError::Busy => "busy",
            PhotoError::TooComplex => "too_complex",
            PhotoError::UploadStalled => "upload_stalled",
        }
    }

    pub fn status(&self) -> u16 {
        match self {
            PhotoError::TooLarge => 413,
            PhotoError::NotAnImage => 415,
            PhotoError::TooManyPixels
            | PhotoError::Unreadable
            | PhotoError::NoCode
            | PhotoError::TooComplex => 422,
            PhotoError::UploadStalled => 408,
            PhotoError::Busy => 503,
        }
    }
}

fn limits() -> Limits {
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_PHOTO_SIDE);
    limits.max_image_height = Some(MAX_PHOTO_SIDE);
    limits.max_alloc = Some(MAX_DECODE_BYTES);
    limits
}

fn image_error(e: image::ImageError) -> PhotoError {
    match e {
        image::ImageError::Limits(_) => PhotoError::TooManyPixels,
        image::ImageError::Unsupported(_) => PhotoError::NotAnImage,
        _ => PhotoError::Unreadable,
    }
}

/// Decode a photo the right way up (EXIF orientation honoured), in grey.
pub fn load_photo(bytes: &[u8]) -> Result<image::GrayImage, PhotoError> {
    if bytes.len() > MAX_PHOTO_BYTES {
        return Err(PhotoError::TooLarge);
    }
    let mut reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|_| PhotoError::Unreadable)?;
    if reader.format().is_none() {
        return Err(PhotoError::NotAnImage);
    }
    reader.limits(limits());
    // The header is read and the limits checked here, before any pixel data. Not every
    // decoder checks the memory limit itself, so the size of the pixels is checked here too.
    let mut decoder = reader.into_decoder().map_err(image_error)?;
    let (w, h) = decoder.dimensions();
    if u64::from(w) * u64::from(h) > MAX_PHOTO_PIXELS || decoder.total_bytes() > MAX_DECODE_BYTES {
        return Err(PhotoError::TooManyPixels);
    }
    let orientation = decoder
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    // Grey first, then turned: turning the full-colour image would copy all of it (a 50 MP
    // RGBA photo is 200 MB), where the grey one is a quarter of that.
    let img = DynamicImage::from_decoder(decoder).map_err(image_error)?;
    let mut grey = DynamicImage::ImageLuma8(img.into_luma8());
    grey.apply_orientation(orientation);
    Ok(grey.into_luma8())
}

/// `img` shrunk (box filter, fast) so its longer side is at most `side`.
fn shrunk(img: &image::GrayImage, side: u32) -> Option<image::GrayImage> {
    let (w, h) = img.dimensions();
    let longer = w.max(h);
    (longer > side).then(|| {
        let scale = side as f64 / longer as f64;
        let (nw, nh) = (
            ((w as f64 * scale).round() as u32).max(1),
            ((h as f64 * scale).round() as u32).max(1),
        );
        image::imageops::thumbnail(img, nw, nh)
    })
}

/// Every QR code rqrr can read in `img`, in the order found, without repeats. rqrr asserts
/// on some degenerate shapes (a panic, not an error); such a look counts as finding nothing.
fn codes_in(img: &image::GrayImage) -> Vec<String> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| codes_in_unguarded(img)))
        .unwrap_or_else(|_| {
            tracing::warn!("the QR reader gave up on a photo (internal assertion)");
            Vec::new()
        })
}

fn codes_in_unguarded(img: &image::GrayImage) -> Vec<String> {
    let (w, h) = img.dimensions();
    let raw = img.as_raw();
    let mut prepared =
        rqrr::PreparedImage::prepare_from_greyscale(w as usize, h as usize, |x, y| {
            raw[y * w as usize + x]
        });
    let mut found: Vec<String> = Vec::new();
    for grid in prepared.detect_grids() {
        if let Ok((_, text)) = grid.decode() {
            if !found.contains(&text) {
                found.push(text);
            }
        }
    }
    found
}

/// The text of every QR code in a photo: the first of [`PASSES`] that finds any wins.
pub fn decode_photo(bytes: &[u8]) -> Result<Vec<String>, PhotoError> {
    let img = load_photo(bytes)?;
    for side in PASSES {
        let found = match shrunk(&img, side) {
            Some(small) => codes_in(&small),
            // No larger than this pass: read it as it is, once, and stop.
            None => {
                let found = codes_in(&img);
                return if found.is_empty() {
                    Err(PhotoError::NoCode)
                } else {
                    Ok(found)
                };
            }
        };
        if !found.is_empty() {
            return Ok(found);
        }
    }
    Err(PhotoError::NoCode)
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
/// JSON on standard output. Run by [`crate::scan_routes::Decoder`], one process a photo, so that
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
        .take(MAX_PHOTO_BYTES as u64 + 1)
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

impl PhotoError {
    /// The error a child named by its code.
    pub fn from_code(code: &str) -> Option<PhotoError> {
        [
            PhotoError::TooLarge,
            PhotoError::NotAnImage,
            PhotoError::TooManyPixels,
            PhotoError::Unreadable,
            PhotoError::NoCode,
            PhotoError::Busy,
            PhotoError::TooComplex,
            PhotoError::UploadStalled,
        ]
        .into_iter()
        .find(|e| e.code() == code)
    }
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

    #[test]
    fn text_and_bombs_are_refused_before_decoding() {
        assert_eq!(
            decode_photo(b"hello, not a picture"),
            Err(PhotoError::NotAnImage)
        );
        assert_eq!(
            decode_photo(&vec![0u8; MAX_PHOTO_BYTES + 1]),
            Err(PhotoError::TooLarge)
        );
    }
}
