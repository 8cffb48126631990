/** The low-resource study: many seeded runs, their statistics, report and plots. */
package io.crossmodal.trainer.study;
