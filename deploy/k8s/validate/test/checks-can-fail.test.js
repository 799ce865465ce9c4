// Every check must be able to fail: each case breaks one thing in a rendered overlay (in memory,
// never in the manifests) and expects the check that guards it to report a violation.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checks, externalSecrets, overlayChecks } from '../lib/invariants.js';
import { named } from '../lib/model.js';
import { render } from '../lib/render.js';

const get = (objects, kind, name) => named(objects, kind, name) ?? assert.fail(`${kind}/${name} is not rendered`);
const container = (objects, kind, name) => (kind === 'Job' ? objects.find((object) => object.kind === 'Job') : get(objects, kind, name)).spec.template.spec.containers[0];
const policy = (objects, name) => get(objects, 'NetworkPolicy', name);

const cases = [
  ['dev', 'every object is valid against its schema', 'a container port that is a string',
    (objects) => { container(objects, 'Deployment', 'ingest').ports[0].containerPort = '5101'; }],
  ['dev', 'every object is valid against its schema', 'an unknown kind',
    (objects) => { get(objects, 'Deployment', 'query').kind = 'Deploymnet'; }],
  ['prod', 'every object is valid against its schema', 'a CloudNativePG Cluster without storage size',
    (objects) => { delete get(objects, 'Cluster', 'runstream-postgres').spec.storage.size; }],
  ['prod', 'every object is valid against its schema', 'a misspelt RabbitmqCluster field',
    (objects) => { get(objects, 'RabbitmqCluster', 'runstream-rabbitmq').spec.replica = 3; }],
  ['dev', 'every object carries the recommended labels', 'a Service without part-of',
    (objects) => { delete get(objects, 'Service', 'query').metadata.labels['app.kubernetes.io/part-of']; }],
  ['dev', 'every long-running container has readiness and liveness probes on a declared port', 'Query without a readiness probe',
    (objects) => { delete container(objects, 'Deployment', 'query').readinessProbe; }],
  ['prod', 'every long-running container has readiness and liveness probes on a declared port', 'Ingest without a liveness probe',
    (objects) => { delete container(objects, 'Deployment', 'ingest').livenessProbe; }],
  ['dev', 'every long-running container has readiness and liveness probes on a declared port', 'a probe on an undeclared port',
    (objects) => { container(objects, 'StatefulSet', 'projections').livenessProbe.httpGet.port = 'metrics'; }],
  ['dev', 'every long-running container has readiness and liveness probes on a declared port', 'an HTTP probe on HTTP/2-only Ingest',
    (objects) => { container(objects, 'Deployment', 'ingest').readinessProbe = { httpGet: { path: '/health/ready', port: 'grpc' } }; }],
  ['dev', 'every container has resource requests and limits', 'Projections without a memory limit',
    (objects) => { delete container(objects, 'StatefulSet', 'projections').resources.limits.memory; }],
  ['prod', 'every container has resource requests and limits', 'a request above its limit',
    (objects) => { container(objects, 'Deployment', 'query').resources.requests.cpu = '3'; }],
  ['dev', 'every container runs as non-root with a read-only root file system', 'a writable root file system',
    (objects) => { container(objects, 'Deployment', 'otel-collector').securityContext.readOnlyRootFilesystem = false; }],
  ['dev', 'every container runs as non-root with a read-only root file system', 'no runAsNonRoot anywhere',
    (objects) => {
      delete container(objects, 'StatefulSet', 'postgres').securityContext.runAsNonRoot;
      delete get(objects, 'StatefulSet', 'postgres').spec.template.spec.securityContext.runAsNonRoot;
    }],
  ['prod', 'every container runs as non-root with a read-only root file system', 'no emptyDir on /tmp',
    (objects) => { container(objects, 'Job').volumeMounts = []; }],
  ['dev', 'every workload selector matches its pod template labels', 'a selector that misses its pods',
    (objects) => { get(objects, 'Deployment', 'ingest').spec.selector.matchLabels['app.kubernetes.io/name'] = 'ingress'; }],
  ['dev', 'every Service selects a workload and targets a declared container port', 'a Service selecting nothing',
    (objects) => { get(objects, 'Service', 'ingest-headless').spec.selector = { 'app.kubernetes.io/name': 'ingest-v2' }; }],
  ['prod', 'every Service selects a workload and targets a declared container port', 'a targetPort the pods do not declare',
    (objects) => { get(objects, 'Service', 'query').spec.ports[0].targetPort = 8080; }],
  ['dev', 'every HorizontalPodAutoscaler targets an existing workload', 'an autoscaler for a missing Deployment',
    (objects) => { get(objects, 'HorizontalPodAutoscaler', 'query').spec.scaleTargetRef.name = 'queries'; }],
  ['prod', 'every HorizontalPodAutoscaler targets an existing workload', 'replicas set beside an autoscaler',
    (objects) => { get(objects, 'Deployment', 'ingest').spec.replicas = 2; }],
  ['prod', 'every PodDisruptionBudget selects a workload', 'a budget selecting nothing',
    (objects) => { get(objects, 'PodDisruptionBudget', 'projections').spec.selector.matchLabels['app.kubernetes.io/name'] = 'projection'; }],
  ['dev', 'every PodDisruptionBudget selects a workload', 'Query without a budget',
    (objects) => { objects.splice(objects.indexOf(get(objects, 'PodDisruptionBudget', 'query')), 1); }],
  ['prod', 'every Ingress backend is an existing Service port', 'a backend port the Service lacks',
    (objects) => { get(objects, 'Ingress', 'query').spec.rules[0].http.paths[0].backend.service.port = { name: 'https' }; }],
  ['prod', 'every Ingress backend is an existing Service port', 'gRPC proxied as HTTP/1',
    (objects) => { delete get(objects, 'Ingress', 'ingest').metadata.annotations['nginx.ingress.kubernetes.io/backend-protocol']; }],
  ['dev', 'every ConfigMap, Secret and volume claim referenced exists', 'a missing Secret',
    (objects) => { container(objects, 'StatefulSet', 'projections').envFrom.at(-1).secretRef.name = 'runstream-secret'; }],
  ['dev', 'every ConfigMap, Secret and volume claim referenced exists', 'a missing ConfigMap key',
    (objects) => { container(objects, 'Deployment', 'ingest').env[0].valueFrom.configMapKeyRef.key = 'partitions'; }],
  ['dev', 'network policies: only Ingest and Query are reachable from outside the namespace', 'no default deny',
    (objects) => { objects.splice(objects.indexOf(policy(objects, 'default-deny-ingress')), 1); }],
  ['prod', 'network policies: only Ingest and Query are reachable from outside the namespace', 'the collector open to all',
    (objects) => { delete policy(objects, 'otel-collector-from-runstream').spec.ingress[0].from; }],
  ['dev', 'network policies: only Ingest and Query are reachable from outside the namespace', 'Ingest closed to clients',
    (objects) => { objects.splice(objects.indexOf(policy(objects, 'ingest-from-anywhere')), 1); }],
  ['dev', 'network policies: PostgreSQL and RabbitMQ accept only the Runstream services', 'PostgreSQL open to every pod of the namespace',
    (objects) => { policy(objects, 'postgres-from-runstream').spec.ingress[0].from = [{ podSelector: {} }]; }],
  ['prod', 'network policies: PostgreSQL and RabbitMQ accept only the Runstream services', 'RabbitMQ open to Query',
    (objects) => { policy(objects, 'rabbitmq-from-runstream').spec.ingress[0].from[0].podSelector.matchExpressions[0].values.push('query'); }],
  ['prod', 'network policies: PostgreSQL and RabbitMQ accept only the Runstream services', 'the migration Job shut out of PostgreSQL',
    (objects) => { policy(objects, 'postgres-from-runstream').spec.ingress[0].from[0].podSelector.matchExpressions[0].values.pop(); }],
  ['prod', 'network policies: PostgreSQL and RabbitMQ accept only the Runstream services', 'the management port open to Ingest',
    (objects) => { policy(objects, 'rabbitmq-from-runstream').spec.ingress[0].ports.push({ port: 15672, protocol: 'TCP' }); }],
  ['prod', 'Projections replicas equal the partition count', 'replicas that differ from the partitions',
    (objects) => { get(objects, 'StatefulSet', 'projections').spec.replicas = 2; }],
  ['dev', 'Projections replicas equal the partition count', 'the ordinal not taken from the pod index',
    (objects) => { container(objects, 'StatefulSet', 'projections').env[1].valueFrom.fieldRef.fieldPath = 'metadata.name'; }],
  ['dev', 'Ingest, Projections and Query share the blob volume at Blobs__Root', 'Projections without the blobs',
    (objects) => { container(objects, 'StatefulSet', 'projections').volumeMounts = container(objects, 'StatefulSet', 'projections').volumeMounts.filter((mount) => mount.name !== 'blobs'); }],
  ['dev', 'Ingest, Projections and Query share the blob volume at Blobs__Root', 'Query mounting the blobs elsewhere',
    (objects) => { container(objects, 'Deployment', 'query').volumeMounts[0].mountPath = '/blobs'; }],
  ['dev', 'Ingest, Projections and Query share the blob volume at Blobs__Root', 'a ReadWriteOnce volume under two Ingest pods',
    (objects) => { get(objects, 'HorizontalPodAutoscaler', 'ingest').spec.maxReplicas = 2; }],
  ['prod', 'the migration Job runs db-apply with the Projections image before the services need it', 'the Job without db-apply',
    (objects) => { container(objects, 'Job').args = ['migrate']; }],
  ['prod', 'the migration Job runs db-apply with the Projections image before the services need it', 'services applying the schema themselves',
    (objects) => { get(objects, 'ConfigMap', 'runstream-config').data.Store__ApplySchemaOnStartup = 'true'; }],
  ['dev', 'each service listens on its container port and exports to the collector', 'Query listening on another port',
    (objects) => { get(objects, 'ConfigMap', 'runstream-query').data.Urls = 'http://0.0.0.0:8080'; }],
  ['dev', 'PostgreSQL 15 and RabbitMQ 3 run in the namespace as StatefulSets with volumes', 'another PostgreSQL version',
    (objects) => { container(objects, 'StatefulSet', 'postgres').image = 'postgres:16'; }],
  ['dev', 'one replica of everything, one partition, classic queues', 'quorum queues on one node',
    (objects) => { get(objects, 'ConfigMap', 'runstream-config').data.RabbitMq__QuorumQueues = 'true'; }],
  ['dev', 'the placeholder secrets point at the in-cluster servers', 'a connection string with another password',
    (objects) => { get(objects, 'Secret', 'postgres-credentials').data.password = Buffer.from('other').toString('base64'); }],
  ['prod', 'RabbitMQ is a three-node RabbitmqCluster with quorum queues on', 'one RabbitMQ node',
    (objects) => { get(objects, 'RabbitmqCluster', 'runstream-rabbitmq').spec.replicas = 1; }],
  ['prod', 'RabbitMQ is a three-node RabbitmqCluster with quorum queues on', 'classic queues',
    (objects) => { delete get(objects, 'ConfigMap', 'runstream-config').data.RabbitMq__QuorumQueues; }],
  ['prod', 'PostgreSQL 15 is a replicated CloudNativePG Cluster', 'a single instance',
    (objects) => { get(objects, 'Cluster', 'runstream-postgres').spec.instances = 1; }],
  ['prod', 'Ingest and Query autoscale from two pods; the blob volume is ReadWriteMany', 'a ReadWriteOnce blob volume',
    (objects) => { get(objects, 'PersistentVolumeClaim', 'runstream-blobs').spec.accessModes = ['ReadWriteOnce']; }],
  ['prod', 'no secret is committed: runstream-secrets comes from the cluster', 'a Secret in the manifests',
    (objects) => { objects.push({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'runstream-secrets' }, stringData: {} }); }],
];

describe('every check can fail', () => {
  it('every check has a case here', () => {
    const names = [...Object.keys(checks), ...Object.values(overlayChecks).flatMap(Object.keys)];
    assert.deepEqual(names.filter((name) => !cases.some(([, check]) => check === name)), []);
  });
  for (const [overlay, name, breakage, breakIt] of cases) {
    it(`${name}: ${overlay} with ${breakage}`, async () => {
      const check = checks[name] ?? overlayChecks[overlay]?.[name] ?? assert.fail(`no check named "${name}" for ${overlay}`);
      const objects = render(overlay);
      breakIt(objects);
      const violations = await check(objects, { externalSecrets: externalSecrets[overlay] ?? [] });
      assert.notDeepEqual(violations, [], 'the check found nothing wrong');
    });
  }
});
