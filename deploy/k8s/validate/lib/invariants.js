// Runstream's deployment invariants. Each check takes an overlay's rendered objects and returns the
// violations it finds as messages: an empty list means the overlay keeps the invariant.
import {
  containersOf, declaredPort, envValue, id, longRunningKinds, mapSelects, named, ofKind, podTemplates,
  quantity, selects, workloads,
} from './model.js';
import { allowed, isDefaultDenyIngress } from './network.js';
import { schemaProblems } from './schemas.js';

const component = (labels) => labels?.['app.kubernetes.io/component'];
const services = ['ingest', 'projections', 'query'];

/** The pod template and first container of the workload whose pods have this component label. */
function service(objects, name) {
  const found = podTemplates(objects).find(({ template }) => component(template.metadata?.labels) === name);
  return found && { owner: found.owner, podSpec: found.template.spec, container: found.template.spec?.containers?.[0] };
}

/** Where a container mounts a volume from this PersistentVolumeClaim. */
function claimMount(podSpec, container, claimName) {
  const volume = (podSpec?.volumes ?? []).find((candidate) => candidate.persistentVolumeClaim?.claimName === claimName);
  return volume && (container.volumeMounts ?? []).find((mount) => mount.name === volume.name);
}

function namespaceLabels(objects, namespace) {
  const declared = objects.find((object) => object.kind === 'Namespace' && object.metadata.name === namespace);
  return { ...(declared?.metadata.labels ?? {}), 'kubernetes.io/metadata.name': namespace };
}

/** Pods outside the namespace: the ingress controller, and a training job in a namespace of its own. */
const outsiders = [
  { namespace: 'ingress-nginx', labels: { 'app.kubernetes.io/name': 'ingress-nginx' } },
  { namespace: 'training', labels: { app: 'trainer' } },
].map((pod) => ({ ...pod, namespaceLabels: { 'kubernetes.io/metadata.name': pod.namespace }, name: `a pod in namespace ${pod.namespace}` }));

function inNamespaceSource(objects, workload) {
  return { namespace: workload.namespace, namespaceLabels: namespaceLabels(objects, workload.namespace), labels: workload.labels, name: id(workload.owner) };
}

export const checks = {
  async 'every object is valid against its schema'(objects) {
    const violations = [];
    for (const object of objects) {
      for (const problem of await schemaProblems(object)) violations.push(`${id(object)}: ${problem}`);
    }
    return violations;
  },

  'every object carries the recommended labels'(objects) {
    const violations = [];
    for (const object of objects) {
      const labels = object.metadata?.labels ?? {};
      if (labels['app.kubernetes.io/part-of'] !== 'runstream') violations.push(`${id(object)} lacks app.kubernetes.io/part-of: runstream`);
      // Generated ConfigMaps and Secrets are named by their generator; everything else names its app.
      if (!['ConfigMap', 'Secret'].includes(object.kind) && !labels['app.kubernetes.io/name']) violations.push(`${id(object)} lacks app.kubernetes.io/name`);
    }
    for (const workload of workloads(objects)) {
      if (!component(workload.owner.metadata.labels)) violations.push(`${id(workload.owner)} lacks app.kubernetes.io/component`);
    }
    for (const { owner, template } of podTemplates(objects)) {
      for (const key of ['app.kubernetes.io/name', 'app.kubernetes.io/component', 'app.kubernetes.io/part-of']) {
        if (!template.metadata?.labels?.[key]) violations.push(`${id(owner)} pod template lacks ${key}`);
      }
    }
    return violations;
  },

  'every long-running container has readiness and liveness probes on a declared port'(objects) {
    const violations = [];
    for (const { owner, template } of podTemplates(objects).filter(({ owner }) => longRunningKinds.includes(owner.kind))) {
      for (const { container, init, where } of containersOf(owner, template.spec)) {
        if (init) continue;
        for (const probe of ['readinessProbe', 'livenessProbe']) {
          if (!container[probe]) violations.push(`${where} has no ${probe}`);
        }
        for (const probe of ['readinessProbe', 'livenessProbe', 'startupProbe']) {
          const handler = container[probe];
          const port = handler?.httpGet?.port ?? handler?.tcpSocket?.port ?? handler?.grpc?.port;
          if (handler && !handler.exec && !declaredPort(container.ports ?? [], port)) violations.push(`${where} ${probe} uses port ${port}, which the container does not declare`);
        }
        // Runstream's services answer /health/ready and /health/live; Ingest speaks HTTP/2 only, so gRPC health.
        const role = component(template.metadata?.labels);
        if (role === 'ingest' && !(container.readinessProbe?.grpc && container.livenessProbe?.grpc)) violations.push(`${where} must use gRPC health probes (Ingest serves HTTP/2 only)`);
        if (['projections', 'query'].includes(role)) {
          if (container.readinessProbe?.httpGet?.path !== '/health/ready') violations.push(`${where} readinessProbe must GET /health/ready`);
          if (container.livenessProbe?.httpGet?.path !== '/health/live') violations.push(`${where} livenessProbe must GET /health/live`);
        }
      }
    }
    return violations;
  },

  'every container has resource requests and limits'(objects) {
    const violations = [];
    for (const { owner, template } of podTemplates(objects)) {
      for (const { container, where } of containersOf(owner, template.spec)) {
        for (const resource of ['cpu', 'memory']) {
          const request = quantity(container.resources?.requests?.[resource]);
          const limit = quantity(container.resources?.limits?.[resource]);
          if (Number.isNaN(request)) violations.push(`${where} has no ${resource} request`);
          if (Number.isNaN(limit)) violations.push(`${where} has no ${resource} limit`);
          if (request > limit) violations.push(`${where} requests more ${resource} than its limit`);
        }
      }
    }
    return violations;
  },

  'every container runs as non-root with a read-only root file system'(objects) {
    const violations = [];
    for (const { owner, template } of podTemplates(objects)) {
      const podSpec = template.spec ?? {};
      const pod = podSpec.securityContext ?? {};
      if (podSpec.automountServiceAccountToken !== false) violations.push(`${id(owner)} mounts an API token it does not need`);
      if (podSpec.hostNetwork || podSpec.hostPID || podSpec.hostIPC) violations.push(`${id(owner)} shares a host namespace`);
      for (const { container, where } of containersOf(owner, podSpec)) {
        const own = container.securityContext ?? {};
        if ((own.runAsNonRoot ?? pod.runAsNonRoot) !== true) violations.push(`${where} is not runAsNonRoot`);
        if ((own.runAsUser ?? pod.runAsUser) === 0) violations.push(`${where} runs as UID 0`);
        if (own.readOnlyRootFilesystem !== true) violations.push(`${where} has a writable root file system`);
        if (own.allowPrivilegeEscalation !== false) violations.push(`${where} does not set allowPrivilegeEscalation: false`);
        if (own.privileged === true) violations.push(`${where} is privileged`);
        if (!(own.capabilities?.drop ?? []).includes('ALL')) violations.push(`${where} does not drop ALL capabilities`);
        if ((own.capabilities?.add ?? []).length > 0) violations.push(`${where} adds capabilities`);
        if ((own.seccompProfile ?? pod.seccompProfile)?.type !== 'RuntimeDefault') violations.push(`${where} has no RuntimeDefault seccomp profile`);
        const tmp = (container.volumeMounts ?? []).find((mount) => mount.mountPath === '/tmp');
        const tmpVolume = tmp && (podSpec.volumes ?? []).find((volume) => volume.name === tmp.name);
        if (!tmpVolume?.emptyDir) violations.push(`${where} has no emptyDir on /tmp`);
      }
    }
    return violations;
  },

  'every workload selector matches its pod template labels'(objects) {
    const violations = [];
    for (const object of ofKind(objects, 'Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet')) {
      const selector = object.spec?.selector ?? {};
      if (Object.keys(selector.matchLabels ?? {}).length === 0 && (selector.matchExpressions ?? []).length === 0) violations.push(`${id(object)} has an empty selector`);
      else if (!selects(selector, object.spec?.template?.metadata?.labels ?? {})) violations.push(`${id(object)} selector does not match its pod template labels`);
    }
    return violations;
  },

  'every Service selects a workload and targets a declared container port'(objects) {
    const violations = [];
    const all = workloads(objects);
    for (const svc of ofKind(objects, 'Service')) {
      if (svc.spec?.type === 'ExternalName') continue;
      const selected = all.filter((workload) => workload.namespace === svc.metadata.namespace && mapSelects(svc.spec?.selector, workload.labels));
      if (selected.length === 0) {
        violations.push(`${id(svc)} selects no workload's pods`);
        continue;
      }
      for (const port of svc.spec.ports ?? []) {
        const target = port.targetPort ?? port.port;
        for (const workload of selected) {
          if (!declaredPort(workload.ports, target)) violations.push(`${id(svc)} port ${port.name ?? port.port} targets ${target}, which ${id(workload.owner)} does not declare`);
        }
      }
    }
    for (const statefulSet of ofKind(objects, 'StatefulSet')) {
      const governing = objects.find((object) => object.kind === 'Service' && object.metadata.name === statefulSet.spec?.serviceName);
      if (!governing) violations.push(`${id(statefulSet)} serviceName ${statefulSet.spec?.serviceName} is not a Service here`);
      else if (!mapSelects(governing.spec?.selector, statefulSet.spec.template?.metadata?.labels ?? {})) violations.push(`${id(statefulSet)} governing Service does not select its pods`);
    }
    return violations;
  },

  'every HorizontalPodAutoscaler targets an existing workload'(objects) {
    const violations = [];
    for (const hpa of ofKind(objects, 'HorizontalPodAutoscaler')) {
      const ref = hpa.spec?.scaleTargetRef ?? {};
      const target = objects.find((object) => object.kind === ref.kind && object.metadata.name === ref.name && object.apiVersion === ref.apiVersion);
      if (!target) {
        violations.push(`${id(hpa)} targets ${ref.apiVersion} ${ref.kind}/${ref.name}, which does not exist`);
        continue;
      }
      if ((hpa.spec.minReplicas ?? 1) > hpa.spec.maxReplicas) violations.push(`${id(hpa)} minReplicas is above maxReplicas`);
      if (target.spec?.replicas !== undefined) violations.push(`${id(target)} sets replicas, which ${id(hpa)} owns (every apply would reset it)`);
      const usesCpu = (hpa.spec.metrics ?? []).some((metric) => metric.resource?.name === 'cpu' && metric.resource?.target?.type === 'Utilization');
      const containers = target.spec?.template?.spec?.containers ?? [];
      if (usesCpu && containers.some((container) => container.resources?.requests?.cpu === undefined)) violations.push(`${id(hpa)} scales on CPU utilization but ${id(target)} has a container without a CPU request`);
    }
    return violations;
  },

  'every PodDisruptionBudget selects a workload'(objects) {
    const violations = [];
    const all = workloads(objects);
    for (const pdb of ofKind(objects, 'PodDisruptionBudget')) {
      if (!all.some((workload) => workload.namespace === pdb.metadata.namespace && selects(pdb.spec?.selector, workload.labels))) violations.push(`${id(pdb)} selects no workload's pods`);
      if ((pdb.spec?.minAvailable === undefined) === (pdb.spec?.maxUnavailable === undefined)) violations.push(`${id(pdb)} must set exactly one of minAvailable and maxUnavailable`);
    }
    for (const name of services) {
      const found = service(objects, name);
      if (found && !ofKind(objects, 'PodDisruptionBudget').some((pdb) => selects(pdb.spec?.selector, found.owner.spec.template.metadata.labels))) violations.push(`${id(found.owner)} has no PodDisruptionBudget`);
    }
    return violations;
  },

  'every Ingress backend is an existing Service port'(objects) {
    const violations = [];
    for (const ingress of ofKind(objects, 'Ingress')) {
      const tlsHosts = (ingress.spec?.tls ?? []).flatMap((tls) => tls.hosts ?? []);
      for (const rule of ingress.spec?.rules ?? []) {
        if (rule.host && !tlsHosts.includes(rule.host)) violations.push(`${id(ingress)} host ${rule.host} has no TLS`);
        for (const { backend } of rule.http?.paths ?? []) {
          const svc = objects.find((object) => object.kind === 'Service' && object.metadata.name === backend?.service?.name);
          const port = svc && (svc.spec.ports ?? []).find((candidate) => candidate.name === backend.service.port?.name || candidate.port === backend.service.port?.number);
          if (!svc) violations.push(`${id(ingress)} backend ${backend?.service?.name} is not a Service`);
          else if (!port) violations.push(`${id(ingress)} backend port ${JSON.stringify(backend.service.port)} is not a port of ${id(svc)}`);
          else if (['kubernetes.io/h2c', 'grpc'].includes(port.appProtocol) && ingress.metadata.annotations?.['nginx.ingress.kubernetes.io/backend-protocol'] !== 'GRPC') {
            violations.push(`${id(ingress)} proxies to the HTTP/2-only ${id(svc)} without backend-protocol GRPC`);
          }
        }
      }
    }
    return violations;
  },

  'every ConfigMap, Secret and volume claim referenced exists'(objects, { externalSecrets = [] } = {}) {
    const violations = [];
    const exists = (kind, name) => objects.some((object) => object.kind === kind && object.metadata.name === name)
      || (kind === 'Secret' && externalSecrets.includes(name));
    const hasKey = (kind, name, key) => {
      const object = objects.find((candidate) => candidate.kind === kind && candidate.metadata.name === name);
      return !object || key in (object.data ?? {}) || key in (object.stringData ?? {});
    };
    for (const { owner, template } of podTemplates(objects)) {
      for (const { container, where } of containersOf(owner, template.spec)) {
        for (const source of container.envFrom ?? []) {
          if (source.configMapRef && !source.configMapRef.optional && !exists('ConfigMap', source.configMapRef.name)) violations.push(`${where} envFrom ConfigMap ${source.configMapRef.name} does not exist`);
          if (source.secretRef && !source.secretRef.optional && !exists('Secret', source.secretRef.name)) violations.push(`${where} envFrom Secret ${source.secretRef.name} does not exist`);
        }
        for (const variable of container.env ?? []) {
          for (const [ref, kind] of [['configMapKeyRef', 'ConfigMap'], ['secretKeyRef', 'Secret']]) {
            const keyRef = variable.valueFrom?.[ref];
            if (!keyRef || keyRef.optional) continue;
            if (!exists(kind, keyRef.name)) violations.push(`${where} ${variable.name} reads ${kind} ${keyRef.name}, which does not exist`);
            else if (!hasKey(kind, keyRef.name, keyRef.key)) violations.push(`${where} ${variable.name} reads key ${keyRef.key}, which ${kind} ${keyRef.name} lacks`);
          }
        }
      }
      for (const volume of template.spec?.volumes ?? []) {
        if (volume.configMap && !volume.configMap.optional && !exists('ConfigMap', volume.configMap.name)) violations.push(`${id(owner)} volume ${volume.name}: ConfigMap ${volume.configMap.name} does not exist`);
        if (volume.secret && !volume.secret.optional && !exists('Secret', volume.secret.secretName)) violations.push(`${id(owner)} volume ${volume.name}: Secret ${volume.secret.secretName} does not exist`);
        if (volume.persistentVolumeClaim && !exists('PersistentVolumeClaim', volume.persistentVolumeClaim.claimName)) violations.push(`${id(owner)} volume ${volume.name}: claim ${volume.persistentVolumeClaim.claimName} does not exist`);
      }
    }
    return violations;
  },

  'network policies: only Ingest and Query are reachable from outside the namespace'(objects) {
    const policies = ofKind(objects, 'NetworkPolicy');
    const violations = [];
    const namespaces = new Set(workloads(objects).map((workload) => workload.namespace));
    for (const namespace of namespaces) {
      if (!policies.some((policy) => policy.metadata.namespace === namespace && isDefaultDenyIngress(policy))) violations.push(`namespace ${namespace} has no default-deny ingress policy`);
    }
    for (const target of workloads(objects)) {
      for (const { containerPort } of target.ports) {
        const role = component(target.labels);
        const open = (role === 'ingest' && containerPort === 5101) || (role === 'query' && containerPort === 5102);
        for (const source of outsiders) {
          const reachable = allowed(policies, source, target, containerPort);
          if (reachable && !open) violations.push(`${id(target.owner)} port ${containerPort} is reachable from ${source.name}`);
          if (!reachable && open) violations.push(`${id(target.owner)} port ${containerPort} is not reachable from ${source.name}`);
        }
      }
    }
    return violations;
  },

  'network policies: PostgreSQL and RabbitMQ accept only the Runstream services'(objects) {
    const policies = ofKind(objects, 'NetworkPolicy');
    const violations = [];
    const all = workloads(objects);
    const clients = { database: { port: 5432, from: ['ingest', 'projections', 'query', 'migration'] }, 'message-broker': { port: 5672, from: ['ingest', 'projections'] } };
    for (const [role, { port, from }] of Object.entries(clients)) {
      const targets = all.filter((workload) => component(workload.owner.metadata.labels) === role);
      if (targets.length === 0) violations.push(`no ${role} workload found`);
      for (const target of targets) {
        if (!declaredPort(target.ports, port)) violations.push(`${id(target.owner)} does not declare port ${port}`);
        for (const source of all.filter((workload) => workload.owner !== target.owner)) {
          const expected = from.includes(component(source.labels));
          for (const { containerPort } of target.ports) {
            const reachable = allowed(policies, inNamespaceSource(objects, source), target, containerPort);
            if (containerPort === port && reachable !== expected) violations.push(`${id(source.owner)} ${expected ? 'cannot reach' : 'can reach'} ${id(target.owner)} port ${port}`);
            if (containerPort !== port && reachable) violations.push(`${id(source.owner)} can reach ${id(target.owner)} port ${containerPort}`);
          }
        }
      }
    }
    return violations;
  },

  'Projections replicas equal the partition count'(objects) {
    const violations = [];
    const partitions = named(objects, 'ConfigMap', 'runstream-partitions');
    const count = Number(partitions?.data?.count);
    if (!Number.isInteger(count) || count < 1) return ['ConfigMap runstream-partitions must hold the partition count (count >= 1)'];
    const projections = service(objects, 'projections');
    const ingest = service(objects, 'ingest');
    if (!projections || !ingest) return ['Ingest and Projections must both be deployed'];
    if (projections.owner.kind !== 'StatefulSet') violations.push(`${id(projections.owner)} must be a StatefulSet (replica i consumes partition i)`);
    if (projections.owner.spec?.replicas !== count) violations.push(`${id(projections.owner)} has ${projections.owner.spec?.replicas} replicas for ${count} partitions`);
    const readsCount = (container, name) => {
      const ref = (container.env ?? []).find((variable) => variable.name === name)?.valueFrom?.configMapKeyRef;
      return ref?.name === partitions.metadata.name && ref?.key === 'count';
    };
    if (!readsCount(ingest.container, 'Ingest__Partitions')) violations.push('Ingest must read Ingest__Partitions from runstream-partitions/count');
    if (!readsCount(projections.container, 'Frames__Partitions')) violations.push('Projections must read Frames__Partitions from runstream-partitions/count');
    const ordinal = (projections.container.env ?? []).find((variable) => variable.name === 'Frames__Partition')?.valueFrom?.fieldRef?.fieldPath;
    if (ordinal !== "metadata.labels['apps.kubernetes.io/pod-index']") violations.push("Projections must read Frames__Partition from metadata.labels['apps.kubernetes.io/pod-index']");
    return violations;
  },

  'Ingest, Projections and Query share the blob volume at Blobs__Root'(objects) {
    const violations = [];
    const root = named(objects, 'ConfigMap', 'runstream-config')?.data?.Blobs__Root;
    const claim = objects.find((object) => object.kind === 'PersistentVolumeClaim' && object.metadata.name === 'runstream-blobs');
    if (!root) violations.push('runstream-config has no Blobs__Root');
    if (!claim) return [...violations, 'the PersistentVolumeClaim runstream-blobs does not exist'];
    // Ingest writes artifact files and large frames; Projections reads and deletes the frames; Query reads files.
    for (const name of ['ingest', 'projections', 'query']) {
      const found = service(objects, name);
      const mount = found && claimMount(found.podSpec, found.container, claim.metadata.name);
      if (!mount) violations.push(`${name} does not mount runstream-blobs`);
      else if (mount.mountPath !== root) violations.push(`${name} mounts runstream-blobs at ${mount.mountPath}, not at Blobs__Root ${root}`);
      else if (name !== 'query' && mount.readOnly) violations.push(`${name} must mount runstream-blobs read-write`);
    }
    if (!(claim.spec?.accessModes ?? []).includes('ReadWriteMany')) {
      // Without RWX only pods on one node can mount it: allowed for a single Ingest and Query pod.
      for (const hpa of ofKind(objects, 'HorizontalPodAutoscaler').filter((candidate) => ['ingest', 'query'].includes(candidate.spec?.scaleTargetRef?.name))) {
        if (hpa.spec.maxReplicas > 1) violations.push(`runstream-blobs is not ReadWriteMany, yet ${id(hpa)} allows ${hpa.spec.maxReplicas} pods`);
      }
    }
    return violations;
  },

  'the migration Job runs db-apply with the Projections image before the services need it'(objects) {
    const violations = [];
    if (named(objects, 'ConfigMap', 'runstream-config')?.data?.Store__ApplySchemaOnStartup !== 'false') violations.push('runstream-config must set Store__ApplySchemaOnStartup=false (the Job applies the schema)');
    const jobs = ofKind(objects, 'Job').filter((job) => component(job.metadata.labels) === 'migration');
    const projections = service(objects, 'projections');
    if (jobs.length !== 1) return [...violations, `expected one migration Job, found ${jobs.length}`];
    const [job] = jobs;
    const container = job.spec?.template?.spec?.containers?.[0] ?? {};
    if (JSON.stringify(container.args) !== JSON.stringify(['db-apply']) || container.command) violations.push(`${id(job)} must run the image's entry point with args ["db-apply"]`);
    if (container.image !== projections?.container.image) violations.push(`${id(job)} runs ${container.image}, not the Projections image ${projections?.container.image}`);
    const sources = (entries) => (entries ?? []).map((source) => source.configMapRef?.name ?? source.secretRef?.name).sort();
    if (JSON.stringify(sources(container.envFrom)) !== JSON.stringify(sources(projections?.container.envFrom).filter((name) => !name.startsWith('runstream-projections')))) {
      violations.push(`${id(job)} must read the same configuration and secrets as Projections`);
    }
    const tag = container.image?.split(':').at(-1);
    if (!tag || !job.metadata.name.endsWith(`-${tag}`)) violations.push(`${id(job)} must be named after its image tag (${tag}): a Job's template cannot change`);
    if (!['Never', 'OnFailure'].includes(job.spec?.template?.spec?.restartPolicy)) violations.push(`${id(job)} needs restartPolicy Never or OnFailure`);
    return violations;
  },

  'each service listens on its container port and exports to the collector'(objects) {
    const violations = [];
    for (const name of services) {
      const found = service(objects, name);
      if (!found) {
        violations.push(`${name} is not deployed`);
        continue;
      }
      const urls = envValue(objects, found.container, 'Urls');
      const match = /^http:\/\/(0\.0\.0\.0|\+|\*|\[::\]):(\d+)$/.exec(urls ?? '');
      if (!match) violations.push(`${name} Urls ${urls} must listen on every interface`);
      else if (!declaredPort(found.container.ports ?? [], Number(match[2]))) violations.push(`${name} listens on ${match[2]}, which its container does not declare`);
      const endpoint = /^http:\/\/([a-z0-9-]+):(\d+)$/.exec(envValue(objects, found.container, 'OTEL_EXPORTER_OTLP_ENDPOINT') ?? '');
      const collector = endpoint && objects.find((object) => object.kind === 'Service' && object.metadata.name === endpoint[1]);
      if (!collector || !(collector.spec.ports ?? []).some((port) => port.port === Number(endpoint[2]))) violations.push(`${name} OTEL_EXPORTER_OTLP_ENDPOINT is not a Service port here`);
    }
    return violations;
  },
};

const secretValue = (objects, name, key) => {
  const secret = named(objects, 'Secret', name);
  return secret?.stringData?.[key] ?? (secret?.data?.[key] !== undefined ? Buffer.from(secret.data[key], 'base64').toString('utf8') : undefined);
};

/** What one overlay in particular promises. */
export const overlayChecks = {
  dev: {
    'PostgreSQL 15 and RabbitMQ 3 run in the namespace as StatefulSets with volumes'(objects) {
      const violations = [];
      for (const [role, image] of [['database', /^postgres:15(\.|$)/], ['message-broker', /^rabbitmq:3\.[0-9.]+-management$/]]) {
        const statefulSet = ofKind(objects, 'StatefulSet').find((object) => component(object.metadata.labels) === role);
        if (!statefulSet) violations.push(`no ${role} StatefulSet`);
        else {
          if (!image.test(statefulSet.spec.template.spec.containers[0].image)) violations.push(`${id(statefulSet)} image must match ${image}`);
          if ((statefulSet.spec.volumeClaimTemplates ?? []).length === 0) violations.push(`${id(statefulSet)} keeps its data on no volume`);
        }
      }
      return violations;
    },
    'one replica of everything, one partition, classic queues'(objects) {
      const violations = [];
      for (const hpa of ofKind(objects, 'HorizontalPodAutoscaler')) if (hpa.spec.maxReplicas !== 1) violations.push(`${id(hpa)} allows ${hpa.spec.maxReplicas} pods`);
      for (const statefulSet of ofKind(objects, 'StatefulSet')) if ((statefulSet.spec.replicas ?? 1) !== 1) violations.push(`${id(statefulSet)} has ${statefulSet.spec.replicas} replicas`);
      const quorum = named(objects, 'ConfigMap', 'runstream-config')?.data?.RabbitMq__QuorumQueues;
      if (quorum !== undefined && quorum !== 'false') violations.push('quorum queues need three RabbitMQ nodes; dev has one');
      return violations;
    },
    'the placeholder secrets point at the in-cluster servers'(objects) {
      const violations = [];
      if (!secretValue(objects, 'runstream-secrets', 'Security__AdminKey')) violations.push('runstream-secrets has no Security__AdminKey');
      const postgres = /^Host=([a-z0-9-]+);Port=5432;Database=runstream;Username=([^;]+);Password=([^;]+)$/.exec(secretValue(objects, 'runstream-secrets', 'ConnectionStrings__Postgres') ?? '');
      if (!postgres) violations.push('ConnectionStrings__Postgres must be Host=...;Port=5432;Database=runstream;Username=...;Password=...');
      else {
        if (!objects.some((object) => object.kind === 'Service' && object.metadata.name === postgres[1])) violations.push(`ConnectionStrings__Postgres host ${postgres[1]} is not a Service`);
        if (postgres[2] !== secretValue(objects, 'postgres-credentials', 'username') || postgres[3] !== secretValue(objects, 'postgres-credentials', 'password')) violations.push('ConnectionStrings__Postgres does not match postgres-credentials');
      }
      const rabbit = /^amqp:\/\/([^:@/]+):([^@/]+)@([a-z0-9-]+):5672\/$/.exec(secretValue(objects, 'runstream-secrets', 'ConnectionStrings__RabbitMq') ?? '');
      if (!rabbit) violations.push('ConnectionStrings__RabbitMq must be amqp://user:pass@host:5672/');
      else {
        if (!objects.some((object) => object.kind === 'Service' && object.metadata.name === rabbit[3])) violations.push(`ConnectionStrings__RabbitMq host ${rabbit[3]} is not a Service`);
        if (rabbit[1] !== secretValue(objects, 'rabbitmq-credentials', 'username') || rabbit[2] !== secretValue(objects, 'rabbitmq-credentials', 'password')) violations.push('ConnectionStrings__RabbitMq does not match rabbitmq-credentials');
      }
      return violations;
    },
  },
  prod: {
    'RabbitMQ is a three-node RabbitmqCluster with quorum queues on'(objects) {
      const violations = [];
      const clusters = ofKind(objects, 'RabbitmqCluster');
      if (clusters.length !== 1) violations.push(`expected one RabbitmqCluster, found ${clusters.length}`);
      for (const cluster of clusters) if (cluster.spec?.replicas !== 3) violations.push(`${id(cluster)} has ${cluster.spec?.replicas} replicas, not 3`);
      for (const name of ['ingest', 'projections']) {
        const found = service(objects, name);
        if (envValue(objects, found?.container ?? {}, 'RabbitMq__QuorumQueues') !== 'true') violations.push(`${name} does not get RabbitMq__QuorumQueues=true`);
      }
      return violations;
    },
    'PostgreSQL 15 is a replicated CloudNativePG Cluster'(objects) {
      const clusters = ofKind(objects, 'Cluster').filter((object) => object.apiVersion === 'postgresql.cnpg.io/v1');
      if (clusters.length !== 1) return [`expected one CloudNativePG Cluster, found ${clusters.length}`];
      const violations = [];
      if (!(clusters[0].spec?.instances >= 2)) violations.push(`${id(clusters[0])} has no replica`);
      if (!/:15(\.|-|$)/.test(clusters[0].spec?.imageName ?? '')) violations.push(`${id(clusters[0])} does not run PostgreSQL 15`);
      return violations;
    },
    'Ingest and Query autoscale from two pods; the blob volume is ReadWriteMany'(objects) {
      const violations = [];
      for (const name of ['ingest', 'query']) {
        const hpa = ofKind(objects, 'HorizontalPodAutoscaler').find((object) => object.spec?.scaleTargetRef?.name === name);
        if (!hpa || hpa.spec.minReplicas < 2 || hpa.spec.maxReplicas <= hpa.spec.minReplicas) violations.push(`${name} must autoscale from at least two pods`);
      }
      const claim = objects.find((object) => object.kind === 'PersistentVolumeClaim' && object.metadata.name === 'runstream-blobs');
      if (!(claim?.spec?.accessModes ?? []).includes('ReadWriteMany') || !claim.spec.storageClassName) violations.push('runstream-blobs must be ReadWriteMany with a named storage class');
      return violations;
    },
    'no secret is committed: runstream-secrets comes from the cluster'(objects) {
      return ofKind(objects, 'Secret').map((secret) => `${id(secret)} is rendered from the repository`);
    },
  },
};

/** Secrets an overlay expects to exist in the cluster already (docs/deploy.md says how to create them). */
export const externalSecrets = { prod: ['runstream-secrets'] };
