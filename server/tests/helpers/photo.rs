//! Photo-like test images: a code pasted onto a noisy background, rotated, scaled and seen in
//! perspective. Shared by the integration tests and the decode benchmark's photo maker.

use image::{GrayImage, Luma, Rgb, RgbImage};
use imageproc::geometric_transformations::Projection;
use rand::{Rng, SeedableRng};

/// A made-up phone photo: a grey-brown gradient with sensor noise, and each code pasted onto
/// it rotated, scaled and seen in perspective (`quad`: where its corners land).
pub fn photo(
    width: u32,
    height: u32,
    codes: &[(&GrayImage, [(f32, f32); 4])],
    seed: u64,
) -> RgbImage {
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let mut img = RgbImage::from_fn(width, height, |x, y| {
        let base = 90.0 + 80.0 * (x as f32 / width as f32) + 40.0 * (y as f32 / height as f32);
        Rgb([base as u8, (base * 0.9) as u8, (base * 0.75) as u8])
    });
    for p in img.pixels_mut() {
        let n: i16 = rng.random_range(-18..=18);
        for c in p.0.iter_mut() {
            *c = (*c as i16 + n).clamp(0, 255) as u8;
        }
    }
    for (code, quad) in codes {
        let (w, h) = (code.width() as f32, code.height() as f32);
        let to_code =
            Projection::from_control_points(*quad, [(0.0, 0.0), (w, 0.0), (w, h), (0.0, h)])
                .expect("a proper quadrilateral");
        let xs = quad.iter().map(|p| p.0);
        let ys = quad.iter().map(|p| p.1);
        let (x0, x1) = (xs.clone().fold(f32::MAX, f32::min), xs.fold(0.0, f32::max));
        let (y0, y1) = (ys.clone().fold(f32::MAX, f32::min), ys.fold(0.0, f32::max));
        for y in (y0 as u32)..(y1 as u32).min(height) {
            for x in (x0 as u32)..(x1 as u32).min(width) {
                let (u, v) = to_code * (x as f32 + 0.5, y as f32 + 0.5);
                if u >= 0.0 && v >= 0.0 && u < w && v < h {
                    // Print and lighting: black is never quite black, nor white white.
                    let Luma([l]) = *code.get_pixel(u as u32, v as u32);
                    let ink = 30.0 + (l as f32 / 255.0) * 190.0 + rng.random_range(-12.0..12.0);
                    let ink = ink.clamp(0.0, 255.0) as u8;
                    img.put_pixel(x, y, Rgb([ink, ink, ink.saturating_sub(8)]));
                }
            }
        }
    }
    img
}

/// A rotated (by `deg`), slightly skewed square of side `side` centred at (cx, cy).
pub fn skewed_square(cx: f32, cy: f32, side: f32, deg: f32) -> [(f32, f32); 4] {
    let t = deg.to_radians();
    let half = side / 2.0;
    // The far edge is shorter: the code is seen from below, in perspective.
    let corners = [
        (-half * 0.88, -half),
        (half * 0.88, -half),
        (half, half),
        (-half, half),
    ];
    corners.map(|(x, y)| {
        (
            cx + x * t.cos() - y * t.sin(),
            cy + x * t.sin() + y * t.cos(),
        )
    })
}

pub fn jpeg(img: &RgbImage, exif: Option<Vec<u8>>) -> Vec<u8> {
    use image::ImageEncoder as _;
    let mut out = Vec::new();
    let mut enc = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 88);
    if let Some(exif) = exif {
        enc.set_exif_metadata(exif).unwrap();
    }
    enc.write_image(
        img.as_raw(),
        img.width(),
        img.height(),
        image::ExtendedColorType::Rgb8,
    )
    .unwrap();
    out
}

/// EXIF (big-endian TIFF) with one tag: Orientation = `value`.
pub fn exif_orientation(value: u16) -> Vec<u8> {
    let mut t = b"MM\0\x2a\0\0\0\x08".to_vec();
    t.extend_from_slice(&1u16.to_be_bytes());
    t.extend_from_slice(&0x0112u16.to_be_bytes());
    t.extend_from_slice(&3u16.to_be_bytes());
    t.extend_from_slice(&1u32.to_be_bytes());
    t.extend_from_slice(&value.to_be_bytes());
    t.extend_from_slice(&[0, 0, 0, 0, 0, 0]);
    t
}

/// A light grey picture tiled with 7×7-pixel finder patterns, one every 10 pixels: rqrr's grouping
/// of them grows much faster than their number (the 600-pixel one costs minutes of CPU).
pub fn finder_tiles(side: u32) -> Vec<u8> {
    let img = GrayImage::from_fn(side, side, |x, y| {
        let (dx, dy) = (x % 10, y % 10);
        if dx >= 7 || dy >= 7 {
            return Luma([200]);
        }
        // Rings: black border, white ring, black 3×3 centre.
        let ring = dx.min(dy).min(6 - dx).min(6 - dy);
        Luma([if ring == 1 { 255 } else { 0 }])
    });
    let mut out = Vec::new();
    image::DynamicImage::ImageLuma8(img)
        .write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
        .unwrap();
    out
}
