/** Tests that start the packaged services (target/quarkus-app) as separate processes, as users and Kubernetes run them. */
package io.crossmodal.systemtests;
