// Evaluates Kubernetes NetworkPolicies (ingress only) the way the API defines them, so that tests can
// ask "may this pod connect to that pod on this port?" without a cluster.
import { declaredPort, selects } from './model.js';

const appliesToIngress = (policy) => (policy.spec?.policyTypes ?? ['Ingress']).includes('Ingress');

function portAllowed(rulePort, target, port) {
  if ((rulePort.protocol ?? 'TCP') !== 'TCP') return false;
  if (rulePort.port === undefined) return true;
  if (typeof rulePort.port === 'string') return declaredPort(target.ports, rulePort.port)?.containerPort === port;
  return rulePort.endPort === undefined ? rulePort.port === port : port >= rulePort.port && port <= rulePort.endPort;
}

function peerAllowed(peer, policyNamespace, source) {
  // An ipBlock admits addresses, not pods: count it as admitting anyone, so that it is never missed.
  if (peer.ipBlock) return true;
  const namespaceAllowed = peer.namespaceSelector
    ? selects(peer.namespaceSelector, source.namespaceLabels)
    : source.namespace === policyNamespace;
  const podAllowed = peer.podSelector ? selects(peer.podSelector, source.labels) : true;
  return namespaceAllowed && podAllowed;
}

/**
 * May `source` ({namespace, namespaceLabels, labels}) open a TCP connection to `port` of a pod of
 * `target` ({namespace, labels, ports})? A pod no ingress policy selects accepts everything; a
 * selected pod accepts what at least one rule of a selecting policy allows.
 */
export function allowed(policies, source, target, port) {
  const selecting = policies.filter((policy) => policy.metadata.namespace === target.namespace
    && appliesToIngress(policy) && selects(policy.spec?.podSelector ?? {}, target.labels));
  if (selecting.length === 0) return true;
  return selecting.some((policy) => (policy.spec.ingress ?? []).some((rule) => {
    const ports = rule.ports ?? [];
    const from = rule.from ?? [];
    return (ports.length === 0 || ports.some((rulePort) => portAllowed(rulePort, target, port)))
      && (from.length === 0 || from.some((peer) => peerAllowed(peer, policy.metadata.namespace, source)));
  }));
}

/** A policy that selects every pod of its namespace and admits nothing: the default deny. */
export function isDefaultDenyIngress(policy) {
  const selector = policy.spec?.podSelector ?? {};
  const selectsAll = Object.keys(selector.matchLabels ?? {}).length === 0 && (selector.matchExpressions ?? []).length === 0;
  return appliesToIngress(policy) && selectsAll && (policy.spec.ingress ?? []).length === 0;
}
