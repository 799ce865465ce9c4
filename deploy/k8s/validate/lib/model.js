// Reading rendered objects: workloads and their pods, label selectors, quantities, generated names.

/** `Kind/name` of an object, for messages. */
export const id = (object) => `${object.kind}/${object.metadata?.name}`;

export const ofKind = (objects, ...kinds) => objects.filter((object) => kinds.includes(object.kind));

/**
 * The object of that kind whose name is `name`, or `name` plus the hash suffix kustomize adds to
 * generated ConfigMaps and Secrets (10 characters of its hash alphabet).
 */
export function named(objects, kind, name) {
  const generated = new RegExp(`^${name.replace(/[.]/g, '\\.')}-[2456789bcdfghkmt]{10}$`);
  return objects.find((object) => object.kind === kind && (object.metadata.name === name || generated.test(object.metadata.name)));
}

const podTemplateOf = {
  Deployment: (object) => object.spec?.template,
  StatefulSet: (object) => object.spec?.template,
  DaemonSet: (object) => object.spec?.template,
  ReplicaSet: (object) => object.spec?.template,
  Job: (object) => object.spec?.template,
  CronJob: (object) => object.spec?.jobTemplate?.spec?.template,
};

/** Kinds whose pods run until stopped, so they must say when they are ready and alive. */
export const longRunningKinds = ['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet'];

/** Every object with a pod template, with that template. */
export function podTemplates(objects) {
  return objects
    .filter((object) => podTemplateOf[object.kind])
    .map((object) => ({ owner: object, template: podTemplateOf[object.kind](object) ?? {} }));
}

/** Containers of a pod spec, init containers first, each with where it is. */
export function containersOf(owner, podSpec) {
  return [
    ...(podSpec?.initContainers ?? []).map((container) => ({ container, init: true, where: `${id(owner)} init container ${container.name}` })),
    ...(podSpec?.containers ?? []).map((container) => ({ container, init: false, where: `${id(owner)} container ${container.name}` })),
  ];
}

/**
 * Pods that operators make from custom resources, as their documentation labels them. They are
 * not in the rendered output, yet Services, budgets and network policies select them.
 */
const operatorPods = {
  Cluster: (cluster) => ({
    labels: { 'cnpg.io/cluster': cluster.metadata.name, 'cnpg.io/podRole': 'instance' },
    ports: [{ name: 'postgresql', containerPort: 5432 }, { name: 'status', containerPort: 8000 }, { name: 'metrics', containerPort: 9187 }],
  }),
  RabbitmqCluster: (cluster) => ({
    labels: { 'app.kubernetes.io/name': cluster.metadata.name, 'app.kubernetes.io/component': 'rabbitmq', 'app.kubernetes.io/part-of': 'rabbitmq' },
    ports: [{ name: 'amqp', containerPort: 5672 }, { name: 'management', containerPort: 15672 }, { name: 'epmd', containerPort: 4369 },
      { name: 'cluster-links', containerPort: 25672 }, { name: 'prometheus', containerPort: 15692 }],
  }),
};

/**
 * Every kind of pod the overlay runs: from pod templates, and from the operators' custom resources.
 * Each has its namespace, pod labels and declared container ports.
 */
export function workloads(objects) {
  const fromTemplates = podTemplates(objects).map(({ owner, template }) => ({
    owner,
    namespace: owner.metadata.namespace,
    labels: template.metadata?.labels ?? {},
    ports: (template.spec?.containers ?? []).flatMap((container) => container.ports ?? []),
    podSpec: template.spec,
  }));
  const fromOperators = objects.filter((object) => operatorPods[object.kind]).map((object) => ({
    owner: object,
    namespace: object.metadata.namespace,
    operatorManaged: true,
    ...operatorPods[object.kind](object),
  }));
  return [...fromTemplates, ...fromOperators];
}

/** Does a LabelSelector (matchLabels, matchExpressions) select these labels? An empty one selects all. */
export function selects(selector, labels) {
  if (selector == null) return false;
  const matchLabels = Object.entries(selector.matchLabels ?? {}).every(([key, value]) => labels[key] === value);
  const matchExpressions = (selector.matchExpressions ?? []).every(({ key, operator, values = [] }) => {
    switch (operator) {
      case 'In': return key in labels && values.includes(labels[key]);
      case 'NotIn': return !(key in labels) || !values.includes(labels[key]);
      case 'Exists': return key in labels;
      case 'DoesNotExist': return !(key in labels);
      default: return false;
    }
  });
  return matchLabels && matchExpressions;
}

/** Does a Service's plain selector map select these labels? An empty one selects nothing (no endpoints). */
export function mapSelects(selector, labels) {
  const entries = Object.entries(selector ?? {});
  return entries.length > 0 && entries.every(([key, value]) => labels[key] === value);
}

const suffixes = { m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50 };

/** A Kubernetes quantity ("500m", "2", "256Mi") as a number, or NaN. */
export function quantity(value) {
  if (typeof value === 'number') return value;
  const match = /^([0-9.]+)(m|k|M|G|T|P|Ki|Mi|Gi|Ti|Pi)?$/.exec(String(value ?? ''));
  return match ? Number(match[1]) * (match[2] ? suffixes[match[2]] : 1) : NaN;
}

/** The container port a Service targetPort or probe port names (by name or number), if declared. */
export function declaredPort(ports, port) {
  return ports.find((declared) => (typeof port === 'string' ? declared.name === port : declared.containerPort === port));
}

/** The environment value a container gets for `name`, from env or from envFrom ConfigMaps. */
export function envValue(objects, container, name) {
  const direct = (container.env ?? []).find((variable) => variable.name === name);
  if (direct) return direct.value ?? direct.valueFrom;
  for (const source of container.envFrom ?? []) {
    const configMap = source.configMapRef && objects.find((object) => object.kind === 'ConfigMap' && object.metadata.name === source.configMapRef.name);
    const key = name.slice((source.prefix ?? '').length);
    if (configMap && name.startsWith(source.prefix ?? '') && configMap.data?.[key] !== undefined) return configMap.data[key];
  }
  return undefined;
}
