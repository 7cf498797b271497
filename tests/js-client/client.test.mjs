// The official JavaScript client (@kubernetes/client-node) against a real cetus server: create, get, list with
// selectors, watch from a resourceVersion, patch, replace with a stale resourceVersion, delete.
// Run by tests/Cetus.E2E.Tests/Clients/JavaScriptClientTests.cs with CETUS_KUBECONFIG set to the server's admin
// kubeconfig; by hand: CETUS_KUBECONFIG=/path/to/admin.kubeconfig node --test (in this folder, after npm ci).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as k8s from '@kubernetes/client-node';

// How long any one wait for the server may take; the tests never sleep.
const PATIENCE_MS = 30_000;

const kubeconfig = process.env.CETUS_KUBECONFIG;
const kc = new k8s.KubeConfig();
let core;
let apps;

before(() => {
  assert.ok(kubeconfig, 'CETUS_KUBECONFIG must name the kubeconfig of a running cetus server');
  kc.loadFromFile(kubeconfig);
  core = kc.makeApiClient(k8s.CoreV1Api);
  apps = kc.makeApiClient(k8s.AppsV1Api);
});

const mergePatch = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch);
const strategicMergePatch = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.StrategicMergePatch);
const jsonPatch = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.JsonPatch);

// The ConfigMap every namespace has, as on Kubernetes (the root CA publisher's); names() leaves it out.
const rootCa = 'kube-root-ca.crt';

// Each test works in a namespace of its own; it starts once the namespace has its kube-root-ca.crt, so that the
// publisher's write is not part of what a test lists or watches.
async function createNamespace() {
  const name = 'js-' + randomBytes(4).toString('hex');
  await core.createNamespace({ body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name } } });
  const deadline = Date.now() + 30_000;
  while ((await core.listNamespacedConfigMap({ namespace: name, fieldSelector: `metadata.name=${rootCa}` })).items.length === 0) {
    assert.ok(Date.now() < deadline, `${rootCa} did not appear in ${name} within 30 s`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return name;
}

function configMap(name, labels = {}) {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels }, data: { k: 'v' } };
}

function deployment(name, image) {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, labels: { app: name } },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'app', image, ports: [{ containerPort: 80 }] }] },
      },
    },
  };
}

const names = (list) => list.items.map((item) => item.metadata.name).filter((name) => name !== rootCa).sort();

// The Status in an ApiException's body (the client leaves unknown status codes' bodies as text).
function statusOf(error) {
  assert.ok(error instanceof k8s.ApiException, `expected an ApiException, got ${error}`);
  return typeof error.body === 'string' ? JSON.parse(error.body) : error.body;
}

async function rejects(promise, code, reason) {
  const error = await promise.then(
    () => assert.fail(`expected ${code} ${reason}, got success`),
    (e) => e,
  );
  const status = statusOf(error);
  assert.equal(error.code, code, JSON.stringify(status));
  assert.equal(status.kind, 'Status');
  assert.equal(status.status, 'Failure');
  assert.equal(status.code, code);
  assert.equal(status.reason, reason);
  return status;
}

// Watches path from resourceVersion until until(events) says stop; onEvent may write to the server.
// Resolves with the events; rejects when the stream fails or PATIENCE_MS passes.
function watchUntil(path, query, onEvent, until) {
  return new Promise((resolve, reject) => {
    const events = [];
    let controller;
    let finished = false;
    const finish = (error) => {
      if (finished) {
        return;
      }
      finished = true;
      clearTimeout(timer);
      controller?.abort();
      if (error) {
        reject(error);
      } else {
        resolve(events);
      }
    };
    const timer = setTimeout(() => finish(new Error(`watch ${path}: timed out after ${PATIENCE_MS} ms with ${JSON.stringify(events.map((e) => e.type))}`)), PATIENCE_MS);
    new k8s.Watch(kc)
      .watch(
        path,
        query,
        (type, object) => {
          if (finished) {
            return;
          }
          events.push({ type, object });
          Promise.resolve(onEvent(events))
            .then(() => {
              if (until(events)) {
                finish();
              }
            })
            .catch(finish);
        },
        (error) => finish(error ?? new Error(`watch ${path}: the server closed the stream after ${JSON.stringify(events.map((e) => e.type))}`)),
      )
      .then((c) => {
        controller = c;
        if (finished) {
          c.abort();
        }
      }, finish);
  });
}

test('create then get returns what was stored, with the server-set fields', async () => {
  const namespace = await createNamespace();
  const ns = await core.readNamespace({ name: namespace });
  assert.equal(ns.metadata.name, namespace);
  assert.ok(ns.metadata.uid);

  const created = await core.createNamespacedConfigMap({ namespace, body: configMap('settings', { app: 'web' }) });
  assert.ok(created.metadata.uid);
  assert.ok(created.metadata.resourceVersion);
  assert.ok(created.metadata.creationTimestamp instanceof Date);
  assert.equal(created.metadata.namespace, namespace);

  const read = await core.readNamespacedConfigMap({ name: 'settings', namespace });
  assert.equal(read.metadata.uid, created.metadata.uid);
  assert.equal(read.metadata.resourceVersion, created.metadata.resourceVersion);
  assert.deepEqual(read.data, { k: 'v' });

  const createdDeployment = await apps.createNamespacedDeployment({ namespace, body: deployment('web', 'nginx:1.26') });
  const readDeployment = await apps.readNamespacedDeployment({ name: 'web', namespace });
  assert.equal(readDeployment.metadata.uid, createdDeployment.metadata.uid);
  assert.equal(readDeployment.spec.replicas, 2);
  assert.equal(readDeployment.spec.template.spec.containers[0].image, 'nginx:1.26');
});

test('list with label and field selectors returns only what matches', async () => {
  const namespace = await createNamespace();
  await core.createNamespacedConfigMap({ namespace, body: configMap('web-a', { app: 'web', tier: 'fe' }) });
  await core.createNamespacedConfigMap({ namespace, body: configMap('web-b', { app: 'web', tier: 'be' }) });
  await core.createNamespacedConfigMap({ namespace, body: configMap('db', { app: 'db' }) });
  await apps.createNamespacedDeployment({ namespace, body: deployment('web', 'nginx:1.26') });
  await apps.createNamespacedDeployment({ namespace, body: deployment('api', 'nginx:1.26') });

  assert.deepEqual(names(await core.listNamespacedConfigMap({ namespace })), ['db', 'web-a', 'web-b']);
  assert.deepEqual(names(await core.listNamespacedConfigMap({ namespace, labelSelector: 'app=web' })), ['web-a', 'web-b']);
  assert.deepEqual(names(await core.listNamespacedConfigMap({ namespace, labelSelector: 'app=web,tier!=fe' })), ['web-b']);
  assert.deepEqual(names(await core.listNamespacedConfigMap({ namespace, labelSelector: 'tier in (fe,be)' })), ['web-a', 'web-b']);
  assert.deepEqual(names(await core.listNamespacedConfigMap({ namespace, fieldSelector: 'metadata.name=web-a' })), ['web-a']);
  assert.deepEqual(names(await core.listNamespacedConfigMap({ namespace, fieldSelector: 'metadata.name!=web-a' })), ['db', 'web-b']);
  assert.deepEqual(names(await core.listNamespacedConfigMap({ namespace, labelSelector: 'app=db', fieldSelector: 'metadata.name=web-a' })), []);

  assert.deepEqual(names(await apps.listNamespacedDeployment({ namespace, labelSelector: 'app=web' })), ['web']);
  assert.deepEqual(names(await apps.listNamespacedDeployment({ namespace, fieldSelector: 'metadata.name=api' })), ['api']);

  await rejects(core.listNamespacedConfigMap({ namespace, fieldSelector: 'spec.bogus=x' }), 400, 'BadRequest');
  await rejects(core.listNamespacedConfigMap({ namespace, labelSelector: 'app in (web' }), 400, 'BadRequest');
});

test('watch from a list resourceVersion sees ADDED, MODIFIED and DELETED in order', async () => {
  const namespace = await createNamespace();
  await core.createNamespacedConfigMap({ namespace, body: configMap('before') });
  const list = await core.listNamespacedConfigMap({ namespace });
  const from = list.metadata.resourceVersion;

  // Written after the list but before the watch opens: the watch must replay it from the resourceVersion.
  const created = await core.createNamespacedConfigMap({ namespace, body: configMap('watched') });
  let modified;
  const events = await watchUntil(
    `/api/v1/namespaces/${namespace}/configmaps`,
    { resourceVersion: from, timeoutSeconds: 60 },
    async (seen) => {
      if (seen.length === 1) {
        // The stream is live: these writes arrive while it is open.
        modified = await core.patchNamespacedConfigMap({ name: 'watched', namespace, body: { data: { k: 'changed' } } }, mergePatch);
        await core.deleteNamespacedConfigMap({ name: 'watched', namespace });
      }
    },
    (seen) => seen.at(-1).type === 'DELETED',
  );

  assert.deepEqual(events.map((e) => e.type), ['ADDED', 'MODIFIED', 'DELETED']);
  assert.deepEqual(events.map((e) => e.object.metadata.name), ['watched', 'watched', 'watched']);
  assert.equal(events[0].object.metadata.resourceVersion, created.metadata.resourceVersion);
  assert.equal(events[1].object.metadata.resourceVersion, modified.metadata.resourceVersion);
  assert.equal(events[1].object.data.k, 'changed');
  assert.ok(BigInt(events[2].object.metadata.resourceVersion) > BigInt(modified.metadata.resourceVersion));
});

test('watch of deployments with a label selector sees only the matching object', async () => {
  const namespace = await createNamespace();
  const from = (await apps.listNamespacedDeployment({ namespace })).metadata.resourceVersion;
  await apps.createNamespacedDeployment({ namespace, body: deployment('other', 'nginx:1.26') });
  await apps.createNamespacedDeployment({ namespace, body: deployment('web', 'nginx:1.26') });

  const events = await watchUntil(
    `/apis/apps/v1/namespaces/${namespace}/deployments`,
    { resourceVersion: from, labelSelector: 'app=web', timeoutSeconds: 60 },
    async (seen) => {
      if (seen.length === 1) {
        await apps.patchNamespacedDeployment({ name: 'other', namespace, body: { spec: { replicas: 4 } } }, mergePatch);
        await apps.patchNamespacedDeployment({ name: 'web', namespace, body: { spec: { replicas: 3 } } }, mergePatch);
        await apps.deleteNamespacedDeployment({ name: 'other', namespace });
        await apps.deleteNamespacedDeployment({ name: 'web', namespace });
      }
    },
    (seen) => seen.at(-1).type === 'DELETED',
  );

  // The controller manager also writes the Deployment's status: MODIFIED may come more than once.
  assert.equal(events[0].type, 'ADDED');
  assert.equal(events.at(-1).type, 'DELETED');
  assert.ok(events.slice(1, -1).every((e) => e.type === 'MODIFIED'));
  assert.ok(events.every((e) => e.object.metadata.name === 'web'));
  assert.ok(events.slice(1, -1).some((e) => e.object.spec.replicas === 3));
});

test('merge patch sets and removes keys', async () => {
  const namespace = await createNamespace();
  const original = await core.createNamespacedConfigMap({ namespace, body: configMap('settings', { app: 'web' }) });

  const patched = await core.patchNamespacedConfigMap(
    { name: 'settings', namespace, body: { metadata: { labels: { tier: 'fe', app: null } }, data: { k: null, added: 'yes' } } },
    mergePatch,
  );
  assert.deepEqual(patched.metadata.labels, { tier: 'fe' });
  assert.deepEqual(patched.data, { added: 'yes' });
  assert.equal(patched.metadata.uid, original.metadata.uid);
  assert.notEqual(patched.metadata.resourceVersion, original.metadata.resourceVersion);

  const read = await core.readNamespacedConfigMap({ name: 'settings', namespace });
  assert.equal(read.metadata.resourceVersion, patched.metadata.resourceVersion);
  assert.deepEqual(read.data, { added: 'yes' });
});

test('strategic merge patch merges containers by name where a merge patch replaces the list', async () => {
  const namespace = await createNamespace();
  const body = deployment('web', 'nginx:1.26');
  body.spec.template.spec.containers.push({ name: 'sidecar', image: 'busybox:1.36' });
  await apps.createNamespacedDeployment({ namespace, body });

  const strategic = await apps.patchNamespacedDeployment(
    { name: 'web', namespace, body: { spec: { template: { spec: { containers: [{ name: 'app', image: 'nginx:1.27' }] } } } } },
    strategicMergePatch,
  );
  assert.deepEqual(strategic.spec.template.spec.containers.map((c) => `${c.name}=${c.image}`), ['app=nginx:1.27', 'sidecar=busybox:1.36']);
  assert.equal(strategic.spec.template.spec.containers[0].ports[0].containerPort, 80);

  const merge = await apps.patchNamespacedDeployment(
    { name: 'web', namespace, body: { spec: { template: { spec: { containers: [{ name: 'other', image: 'redis:7' }] } } } } },
    mergePatch,
  );
  assert.deepEqual(merge.spec.template.spec.containers.map((c) => `${c.name}=${c.image}`), ['other=redis:7']);

  const json = await apps.patchNamespacedDeployment(
    { name: 'web', namespace, body: [{ op: 'replace', path: '/spec/replicas', value: 7 }] },
    jsonPatch,
  );
  assert.equal(json.spec.replicas, 7);
});

test('replace with a stale resourceVersion fails with 409 Conflict and changes nothing', async () => {
  const namespace = await createNamespace();
  const first = await core.createNamespacedConfigMap({ namespace, body: configMap('settings') });

  const second = await core.replaceNamespacedConfigMap({ name: 'settings', namespace, body: { ...first, data: { k: 'second' } } });
  assert.notEqual(second.metadata.resourceVersion, first.metadata.resourceVersion);

  // first still carries the resourceVersion the replace above made stale.
  const status = await rejects(
    core.replaceNamespacedConfigMap({ name: 'settings', namespace, body: { ...first, data: { k: 'stale' } } }),
    409,
    'Conflict',
  );
  assert.equal(status.details.name, 'settings');
  assert.match(status.message, /the object has been modified/);

  const stored = await core.readNamespacedConfigMap({ name: 'settings', namespace });
  assert.deepEqual(stored.data, { k: 'second' });
  assert.equal(stored.metadata.resourceVersion, second.metadata.resourceVersion);
});

test('delete, then get fails with 404 NotFound', async () => {
  const namespace = await createNamespace();
  await core.createNamespacedConfigMap({ namespace, body: configMap('settings') });
  await apps.createNamespacedDeployment({ namespace, body: deployment('web', 'nginx:1.26') });

  await core.deleteNamespacedConfigMap({ name: 'settings', namespace });
  await apps.deleteNamespacedDeployment({ name: 'web', namespace });

  const status = await rejects(core.readNamespacedConfigMap({ name: 'settings', namespace }), 404, 'NotFound');
  assert.equal(status.message, 'configmaps "settings" not found');
  await rejects(apps.readNamespacedDeployment({ name: 'web', namespace }), 404, 'NotFound');
  await rejects(core.deleteNamespacedConfigMap({ name: 'settings', namespace }), 404, 'NotFound');
  assert.deepEqual(names(await core.listNamespacedConfigMap({ namespace })), []);
});
