//! Photos attached to reports: decoded within the same bounds as a scanned photo (bytes,
//! declared size, memory), turned the right way up, shrunk to at most [`MAX_SIDE`] pixels a
//! side and written again as a baseline JPEG. Nothing of the original file survives: no EXIF
//! (location, camera, time), no comments, no thumbnails, no trailing bytes.

use crate::{
    image_error, limits, PhotoError, MAX_DECODE_BYTES, MAX_PHOTO_BYTES, MAX_PHOTO_PIXELS,
    MAX_PHOTO_SIDE,
};
use image::{DynamicImage, ImageDecoder, ImageReader};
use std::io::Cursor;

/// Longest side of a stored photo, in pixels.
pub const MAX_SIDE: u32 = 2048;
/// JPEG quality of a stored photo.
const QUALITY: u8 = 85;

/// A photo as stored: JPEG bytes and their size in pixels.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reencoded {
    pub jpeg: Vec<u8>,
    pub width: u32,
    pub height: u32,
}

/// Decode `bytes` (any format the scanner reads) and write it again as a JPEG of at most
/// [`MAX_SIDE`] pixels a side, the right way up, without any of the original's metadata.
pub fn reencode(bytes: &[u8]) -> Result<Reencoded, PhotoError> {
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
    let mut decoder = reader.into_decoder().map_err(image_error)?;
    let (w, h) = decoder.dimensions();
    if w > MAX_PHOTO_SIDE
        || h > MAX_PHOTO_SIDE
        || u64::from(w) * u64::from(h) > MAX_PHOTO_PIXELS
        || decoder.total_bytes() > MAX_DECODE_BYTES
    {
        return Err(PhotoError::TooManyPixels);
    }
    let orientation = decoder
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let img = DynamicImage::from_decoder(decoder).map_err(image_error)?;
    // Shrink first (fewer pixels to turn and to copy), then turn.
    let mut img = if w.max(h) > MAX_SIDE {
        img.resize(MAX_SIDE, MAX_SIDE, image::imageops::FilterType::Triangle)
    } else {
        img
    };
    img.apply_orientation(orientation);
    let rgb = img.into_rgb8();
    let (width, height) = rgb.dimensions();
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, QUALITY)
        .encode_image(&rgb)
        .map_err(|_| PhotoError::Unreadable)?;
    Ok(Reencoded {
        jpeg,
        width,
        height,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::ImageEncoder as _;

    fn jpeg_with_exif(w: u32, h: u32, exif: &[u8]) -> Vec<u8> {
        let img = image::RgbImage::from_fn(w, h, |x, y| {
            image::Rgb([(x % 256) as u8, (y % 256) as u8, 90])
        });
        let mut out = Vec::new();
        let mut enc = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 90);
        enc.set_exif_metadata(exif.to_vec()).unwrap();
        enc.write_image(img.as_raw(), w, h, image::ExtendedColorType::Rgb8)
            .unwrap();
        out
    }

    #[test]
    fn metadata_is_gone_and_the_photo_is_upright_and_at_most_2048_a_side() {
        // Orientation 6 (a quarter turn right) and a GPS pointer, in a big-endian TIFF header.
        let exif = b"MM\0\x2a\0\0\0\x08\0\x02\x01\x12\0\x03\0\0\0\x01\0\x06\0\0\x88\x25\0\x04\0\0\0\x01\0\0\0\x26\0\0\0\0GPSDATA-SECRET-PLACE";
        let original = jpeg_with_exif(3000, 2000, exif);
        assert!(original.windows(14).any(|w| w == b"GPSDATA-SECRET"));
        let out = reencode(&original).unwrap();
        assert_eq!((out.width, out.height), (1365, 2048));
        assert!(!out.jpeg.windows(4).any(|w| w == b"Exif"));
        assert!(!out.jpeg.windows(14).any(|w| w == b"GPSDATA-SECRET"));
        let back = image::load_from_memory(&out.jpeg).unwrap();
        assert_eq!((back.width(), back.height()), (1365, 2048));
    }

    #[test]
    fn small_photos_keep_their_size_and_bad_ones_are_refused() {
        let out = reencode(&jpeg_with_exif(640, 480, b"MM\0\x2a\0\0\0\x08\0\0")).unwrap();
        assert_eq!((out.width, out.height), (640, 480));
        assert_eq!(reencode(b"not a picture"), Err(PhotoError::NotAnImage));
        assert_eq!(
            reencode(&vec![0u8; MAX_PHOTO_BYTES + 1]),
            Err(PhotoError::TooLarge)
        );
    }
}
