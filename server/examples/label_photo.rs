//! Make a phone-sized test photo (4000×3000, JPEG) with a label on it, for the decode benchmark:
//! `label_photo LABEL.png OUT.jpg [--no-code]`. The label is pasted small, turned and in
//! perspective on a noisy background, as in the integration tests.

#[path = "../tests/helpers/photo.rs"]
#[allow(dead_code)] // The tests use more of it.
mod photo;

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [label, out, rest @ ..] = args.as_slice() else {
        anyhow::bail!("usage: label_photo LABEL.png OUT.jpg [--no-code]");
    };
    let code = image::open(label)?.into_luma8();
    let codes = if rest.iter().any(|a| a == "--no-code") {
        vec![]
    } else {
        // About a sixth of the photo's width: a label photographed from arm's length.
        vec![(&code, photo::skewed_square(2100.0, 1450.0, 700.0, 19.0))]
    };
    let img = photo::photo(4000, 3000, &codes, 7);
    std::fs::write(out, photo::jpeg(&img, None))?;
    Ok(())
}
