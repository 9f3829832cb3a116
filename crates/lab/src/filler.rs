//! A streamed filler body for the builder's `body_bytes`: large bodies cost time, not memory.

use std::convert::Infallible;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use http_body::{Body, Frame, SizeHint};

/// The bytes every chunk is cut from (a visible character, so a preview shows something).
static CHUNK: [u8; 64 * 1024] = [b'x'; 64 * 1024];

/// A body of `remaining` bytes of `x`, sent in 64 KiB chunks cut from one static buffer.
#[derive(Debug)]
pub struct Filler {
    remaining: u64,
}

impl Filler {
    /// A filler of exactly `len` bytes.
    pub fn new(len: u64) -> Filler {
        Filler { remaining: len }
    }
}

impl Body for Filler {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        if self.remaining == 0 {
            return Poll::Ready(None);
        }
        let len = usize::try_from(self.remaining)
            .unwrap_or(usize::MAX)
            .min(CHUNK.len());
        let chunk: &'static [u8] = CHUNK.get(..len).unwrap_or_default();
        self.remaining = self.remaining.saturating_sub(chunk.len() as u64);
        Poll::Ready(Some(Ok(Frame::data(Bytes::from_static(chunk)))))
    }

    fn is_end_stream(&self) -> bool {
        self.remaining == 0
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.remaining)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::BodyExt;

    #[tokio::test]
    async fn yields_exactly_the_requested_length() {
        for len in [0u64, 1, 65_536, 65_537, 200_000] {
            let bytes = Filler::new(len).collect().await.unwrap().to_bytes();
            assert_eq!(bytes.len() as u64, len);
        }
    }
}
