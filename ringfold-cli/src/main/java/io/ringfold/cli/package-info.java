/**
 * The {@code ringfold} command line (picocli): train, evaluate, predict, inspect and serve. It only parses
 * flags, calls the core library and formats results; every rule about data and models lives in core.
 */
package io.ringfold.cli;
