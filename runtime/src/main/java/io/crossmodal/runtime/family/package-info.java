/** The serving SPI of model families (ServingFamily, ServedModel), found at run time with java.util.ServiceLoader. */
package io.crossmodal.runtime.family;
