// Test support other packages' tests use: a swarm of several engines on one machine.
export { type Cluster, type ClusterNode, clusterNamespaces, clusterUnsupported, startCluster } from './swarm-cluster.js';
export { copyImage, ensurePythonStack, pythonStackDockerfile } from './swarm-cluster-images.js';
export { killLeftoverProcesses } from './leftover-processes.js';
