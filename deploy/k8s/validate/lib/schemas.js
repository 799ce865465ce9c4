// Schema validation of rendered objects: Kubernetes kinds against the OpenAPI schemas shipped in
// the kubernetes-models package; the operators' custom resources (no models package exists for
// them) by an explicit check of the fields this repository relies on.
import { quantity } from './model.js';

const modules = new Map();

async function modelClass(apiVersion, kind) {
  const modulePath = `kubernetes-models/${apiVersion}`;
  if (!modules.has(modulePath)) modules.set(modulePath, await import(modulePath).catch(() => null));
  const module = modules.get(modulePath);
  return module && typeof module[kind] === 'function' && module[kind].prototype?.validate ? module[kind] : null;
}

const isObject = (value) => value != null && typeof value === 'object' && !Array.isArray(value);
const isQuantity = (value) => (typeof value === 'string' || typeof value === 'number') && !Number.isNaN(quantity(value));

function unknownKeys(object, allowed, where) {
  return Object.keys(object ?? {}).filter((key) => !allowed.includes(key)).map((key) => `${where}.${key} is not a known field`);
}

function resourcesProblems(resources, where) {
  const problems = [];
  for (const section of ['requests', 'limits']) {
    for (const resource of ['cpu', 'memory']) {
      if (!isQuantity(resources?.[section]?.[resource])) problems.push(`${where}.${section}.${resource} must be a quantity`);
    }
  }
  return problems;
}

/** postgresql.cnpg.io/v1 Cluster (CloudNativePG): the fields used here, and no misspelt ones. */
function cnpgCluster(cluster) {
  const spec = cluster.spec;
  if (!isObject(spec)) return ['spec is required'];
  const problems = unknownKeys(spec, ['affinity', 'backup', 'bootstrap', 'certificates', 'description', 'enablePDB',
    'enableSuperuserAccess', 'env', 'envFrom', 'ephemeralVolumeSource', 'ephemeralVolumesSizeLimit', 'externalClusters',
    'failoverDelay', 'imageCatalogRef', 'imageName', 'imagePullPolicy', 'imagePullSecrets', 'inheritedMetadata', 'instances',
    'livenessProbeTimeout', 'logLevel', 'managed', 'maxSyncReplicas', 'minSyncReplicas', 'monitoring', 'nodeMaintenanceWindow',
    'plugins', 'postgresGID', 'postgresUID', 'postgresql', 'primaryUpdateMethod', 'primaryUpdateStrategy', 'priorityClassName',
    'probes', 'projectedVolumeTemplate', 'replica', 'replicationSlots', 'resources', 'schedulerName', 'seccompProfile',
    'serviceAccountTemplate', 'smartShutdownTimeout', 'startDelay', 'stopDelay', 'storage', 'superuserSecret',
    'switchoverDelay', 'tablespaces', 'topologySpreadConstraints', 'walStorage'], 'spec');
  if (!Number.isInteger(spec.instances) || spec.instances < 1) problems.push('spec.instances must be an integer of at least 1');
  if (typeof spec.imageName !== 'string' || spec.imageName === '') problems.push('spec.imageName must name the PostgreSQL image');
  if (!['unsupervised', 'supervised', undefined].includes(spec.primaryUpdateStrategy)) problems.push('spec.primaryUpdateStrategy must be unsupervised or supervised');
  for (const storage of ['storage', 'walStorage']) {
    if (spec[storage] === undefined && storage === 'walStorage') continue;
    problems.push(...unknownKeys(spec[storage], ['pvcTemplate', 'resizeInUseVolumes', 'size', 'storageClass'], `spec.${storage}`));
    if (!isQuantity(spec[storage]?.size)) problems.push(`spec.${storage}.size must be a quantity`);
  }
  const initdb = spec.bootstrap?.initdb;
  if (!isObject(initdb)) problems.push('spec.bootstrap.initdb is required (the database is created by the operator)');
  else {
    if (typeof initdb.database !== 'string') problems.push('spec.bootstrap.initdb.database must be a string');
    if (typeof initdb.owner !== 'string') problems.push('spec.bootstrap.initdb.owner must be a string');
  }
  for (const [name, value] of Object.entries(spec.postgresql?.parameters ?? {})) {
    if (typeof value !== 'string') problems.push(`spec.postgresql.parameters.${name} must be a string (quote it)`);
  }
  problems.push(...resourcesProblems(spec.resources, 'spec.resources'));
  return problems;
}

/** rabbitmq.com/v1beta1 RabbitmqCluster (RabbitMQ Cluster Operator): the fields used here, and no misspelt ones. */
function rabbitmqCluster(cluster) {
  const spec = cluster.spec;
  if (!isObject(spec)) return ['spec is required'];
  const problems = unknownKeys(spec, ['affinity', 'autoEnableAllFeatureFlags', 'delayStartSeconds', 'image', 'imagePullSecrets',
    'override', 'persistence', 'rabbitmq', 'replicas', 'resources', 'secretBackend', 'service', 'skipPostDeploySteps',
    'terminationGracePeriodSeconds', 'tls', 'tolerations'], 'spec');
  if (!Number.isInteger(spec.replicas) || spec.replicas < 1) problems.push('spec.replicas must be an integer of at least 1');
  if (typeof spec.image !== 'string' || spec.image === '') problems.push('spec.image must name the RabbitMQ image');
  problems.push(...unknownKeys(spec.persistence, ['storage', 'storageClassName'], 'spec.persistence'));
  if (!isQuantity(spec.persistence?.storage)) problems.push('spec.persistence.storage must be a quantity');
  problems.push(...unknownKeys(spec.rabbitmq, ['additionalConfig', 'additionalPlugins', 'advancedConfig', 'envConfig', 'erlangInetConfig'], 'spec.rabbitmq'));
  for (const text of ['additionalConfig', 'advancedConfig', 'envConfig', 'erlangInetConfig']) {
    if (spec.rabbitmq?.[text] !== undefined && typeof spec.rabbitmq[text] !== 'string') problems.push(`spec.rabbitmq.${text} must be a string`);
  }
  problems.push(...resourcesProblems(spec.resources, 'spec.resources'));
  return problems;
}

const customResources = {
  'postgresql.cnpg.io/v1/Cluster': cnpgCluster,
  'rabbitmq.com/v1beta1/RabbitmqCluster': rabbitmqCluster,
};

const dns1123Subdomain = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const dns1123Label = /^(?=.{1,63}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const labelValue = /^(?=.{0,63}$)(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** The object's problems against its schema, as messages (none when it is valid). */
export async function schemaProblems(object) {
  if (!isObject(object) || typeof object.apiVersion !== 'string' || typeof object.kind !== 'string') return ['apiVersion and kind are required'];
  const problems = [];
  const name = object.metadata?.name;
  // Services and namespaces become DNS labels; other names are DNS subdomains.
  const pattern = ['Service', 'Namespace'].includes(object.kind) ? dns1123Label : dns1123Subdomain;
  if (typeof name !== 'string' || !pattern.test(name)) problems.push(`metadata.name ${JSON.stringify(name)} is not a valid ${object.kind} name`);
  for (const [key, value] of Object.entries(object.metadata?.labels ?? {})) {
    if (typeof value !== 'string' || !labelValue.test(value)) problems.push(`label ${key}=${JSON.stringify(value)} is not a valid label value`);
  }
  const custom = customResources[`${object.apiVersion}/${object.kind}`];
  if (custom) return [...problems, ...custom(object)];
  const Model = await modelClass(object.apiVersion, object.kind);
  if (!Model) return [...problems, `${object.apiVersion} ${object.kind} is not a known Kubernetes kind`];
  // kustomize folds long base64 values over lines; the API server's decoder skips the line breaks.
  const input = object.kind === 'Secret' && isObject(object.data)
    ? { ...object, data: Object.fromEntries(Object.entries(object.data).map(([key, value]) => [key, typeof value === 'string' ? value.replace(/[\r\n]/g, '') : value])) }
    : object;
  try {
    new Model(input).validate();
  } catch (error) {
    const details = error.errors?.map((detail) => `${detail.instancePath || '/'} ${detail.message}`) ?? [error.message];
    problems.push(...details);
  }
  return problems;
}
