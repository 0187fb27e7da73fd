//! Photos from phones: reading the QR codes in what the scanner uploads, decoded within fixed
//! bounds (bytes, pixels, memory) and read at a few fixed sizes; and writing a report's photos
//! again without their metadata (`reencode`). No I/O and no words for people; the server
//! runs it in a child process with a CPU budget (`robopass decode-photo`).
//!
//! A crate of its own so that it is built optimised in test builds too: generic image code is
//! compiled in the crate that uses it, and unoptimised it took ten times the CPU, close to the
//! budget a photo gets.

use domain::Problem;
use image::{DynamicImage, ImageDecoder, ImageReader, Limits};
use std::io::Cursor;

pub mod reencode;

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
    /// Why, by name (the API's `error.code`, the key of the words people read).
    pub fn problem(&self) -> Problem {
        match self {
            PhotoError::TooLarge => Problem::TooLarge,
            PhotoError::NotAnImage => Problem::NotAnImage,
            PhotoError::TooManyPixels => Problem::TooManyPixels,
            PhotoError::Unreadable => Problem::UnreadableImage,
            PhotoError::NoCode => Problem::NoCodeFound,
            PhotoError::Busy => Problem::Busy,
            PhotoError::TooComplex => Problem::TooComplex,
            PhotoError::UploadStalled => Problem::UploadStalled,
        }
    }

    pub fn code(&self) -> &'static str {
        self.problem().as_str()
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
    match reader.format() {
        None => return Err(PhotoError::NotAnImage),
        Some(image::ImageFormat::Jpeg) => {
            if let Some(grey) = load_jpeg_scaled(bytes)? {
                return Ok(grey);
            }
        }
        Some(_) => {}
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

/// A JPEG decoded straight at the smallest of 1/1, 1/2, 1/4 or 1/8 of its size whose longer
/// side still reaches the largest of [`PASSES`] (the DCT scaling of JPEG decoders: the smaller
/// blocks are computed directly, never the full-size pixels), in grey, the right way up.
/// A 12-megapixel phone photo is decoded at 3 megapixels: about a third of the CPU time the
/// whole photo took, and a quarter of the memory. `None` when the photo is no larger than that
/// or this decoder does not handle its kind of JPEG (12-bit, CMYK, lossless…): the general
/// decoder then reads it.
fn load_jpeg_scaled(bytes: &[u8]) -> Result<Option<image::GrayImage>, PhotoError> {
    use jpeg_decoder::{Decoder, Error, PixelFormat};
    let mut decoder = Decoder::new(bytes);
    decoder.set_max_decoding_buffer_size(MAX_DECODE_BYTES as usize);
    match decoder.read_info() {
        Ok(()) => {}
        Err(Error::Unsupported(_)) => return Ok(None),
        Err(_) => return Err(PhotoError::Unreadable),
    }
    let info = decoder.info().ok_or(PhotoError::Unreadable)?;
    let (w, h) = (u32::from(info.width), u32::from(info.height));
    if w > MAX_PHOTO_SIDE || h > MAX_PHOTO_SIDE || u64::from(w) * u64::from(h) > MAX_PHOTO_PIXELS {
        return Err(PhotoError::TooManyPixels);
    }
    if !matches!(info.pixel_format, PixelFormat::L8 | PixelFormat::RGB24) {
        return Ok(None);
    }
    let largest = PASSES[PASSES.len() - 1] as u16;
    let (sw, sh) = decoder
        .scale(largest, largest)
        .map_err(|_| PhotoError::Unreadable)?;
    if (u32::from(sw), u32::from(sh)) == (w, h) {
        // Nothing to gain at full size: the general decoder (zune-jpeg) is the faster one.
        return Ok(None);
    }
    let pixels = match decoder.decode() {
        Ok(pixels) => pixels,
        Err(Error::Unsupported(_)) => return Ok(None),
        Err(_) => return Err(PhotoError::Unreadable),
    };
    let (sw, sh) = (u32::from(sw), u32::from(sh));
    let img = match info.pixel_format {
        PixelFormat::L8 => image::GrayImage::from_raw(sw, sh, pixels).map(DynamicImage::ImageLuma8),
        _ => image::RgbImage::from_raw(sw, sh, pixels).map(DynamicImage::ImageRgb8),
    }
    .ok_or(PhotoError::Unreadable)?;
    let orientation = decoder
        .exif_data()
        .and_then(image::metadata::Orientation::from_exif_chunk)
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut grey = DynamicImage::ImageLuma8(img.into_luma8());
    grey.apply_orientation(orientation);
    Ok(Some(grey.into_luma8()))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_large_jpeg_is_decoded_at_a_fraction_of_its_size_the_right_way_up() {
        use image::ImageEncoder as _;
        let jpeg = |w: u32, h: u32, exif: Option<Vec<u8>>| {
            let img = image::RgbImage::from_pixel(w, h, image::Rgb([200, 180, 160]));
            let mut out = Vec::new();
            let mut enc = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 90);
            if let Some(exif) = exif {
                enc.set_exif_metadata(exif).unwrap();
            }
            enc.write_image(img.as_raw(), w, h, image::ExtendedColorType::Rgb8)
                .unwrap();
            out
        };
        // Half of 4000 × 3000 still reaches the largest pass; a quarter would not.
        let grey = load_photo(&jpeg(4000, 3000, None)).unwrap();
        assert_eq!(grey.dimensions(), (2000, 1500));
        // In grey by the same weights as the general decoder (Rec. 709: 183 for this colour).
        let luma = grey.get_pixel(1000, 750).0[0];
        assert!((180..=186).contains(&luma), "{luma}");
        // EXIF orientation 6 (turned a quarter to the right) is honoured.
        let exif = b"MM\0\x2a\0\0\0\x08\0\x01\x01\x12\0\x03\0\0\0\x01\0\x06\0\0\0\0\0\0";
        let turned = load_photo(&jpeg(4000, 3000, Some(exif.to_vec()))).unwrap();
        assert_eq!(turned.dimensions(), (1500, 2000));
        // Smaller than the largest pass: decoded as it is.
        assert_eq!(
            load_photo(&jpeg(1200, 900, None)).unwrap().dimensions(),
            (1200, 900)
        );
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
