/** Audio input: WAV/PCM decoding, sample-rate checks, log-mel filterbank, silence trimming, fixed-length frames. */
package io.crossmodal.features.audio;
