/** The declarative job configuration. */
package io.crossmodal.trainer.config;
