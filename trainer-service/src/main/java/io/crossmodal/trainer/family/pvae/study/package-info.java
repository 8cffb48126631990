/** The PVAE study: PVAE and baselines over seeds and amounts of paired data, written as Markdown, JSON and PNGs. */
package io.crossmodal.trainer.family.pvae.study;
