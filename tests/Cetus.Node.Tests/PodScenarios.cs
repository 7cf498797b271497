using System.Net.Http;
using Cetus.Cri.V1;
using Cetus.Testing;
using k8s;
using k8s.Models;
using Xunit;

namespace Cetus.Node.Tests;

/// <summary>
/// Issue 7's seed points end to end: the real kubectl against a real <c>cetus up</c> whose kubelet runs the pods on
/// the real containerd; results are read back through the API, from the pods' IPs (each scenario's pod serves what it
/// saw with busybox httpd) and from containerd over CRI.
/// </summary>
[Collection(NodeCollection.Name)]
public sealed class PodScenarios(NodeFixture fixture) : NodeScenario(fixture)
{
    [Fact]
    public async Task TwoContainers_TalkOverLocalhost_ShareAnEmptyDir_AndThePodIPIsReachableFromTheHost()
    {
        await ApplyAsync($$$"""
            apiVersion: v1
            kind: Pod
            metadata: {name: pair, namespace: {{{_ns}}} }
            spec:
              volumes: [{name: shared, emptyDir: {}}]
              containers:
              - name: web
                image: {{{Containerd.BusyboxImage}}}
                command: [httpd, -f, -p, "8080", -h, /shared]
                volumeMounts: [{name: shared, mountPath: /shared}]
              - name: writer
                image: {{{Containerd.BusyboxImage}}}
                command: [sh, -c, "echo from-writer > /shared/msg; until wget -q -O /shared/via-localhost http://localhost:8080/msg; do sleep 0.2; done; sleep 3600"]
                volumeMounts: [{name: shared, mountPath: /shared}]
            """);
        var pod = await WaitForPodAsync("pair", p => p.Status?.Phase == "Running" && !string.IsNullOrEmpty(p.Status.PodIP), TimeSpan.FromSeconds(60));
        Assert.Equal("from-writer", (await GetTextAsync(pod.Status.PodIP, "/msg", TimeSpan.FromSeconds(30))).Trim());
        Assert.Equal("from-writer", (await GetTextAsync(pod.Status.PodIP, "/via-localhost", TimeSpan.FromSeconds(30))).Trim());
        Assert.Equal(Node.NodeName, pod.Spec.NodeName);
        Assert.All(pod.Status.ContainerStatuses, s => Assert.StartsWith("containerd://", s.ContainerID, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Deployment_ThreeReplicas_RunInContainerd_AndDeleteRemovesThem()
    {
        await ApplyAsync($$$"""
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: sleepers, namespace: {{{_ns}}} }
            spec:
              replicas: 3
              selector: {matchLabels: {app: sleepers}}
              template:
                metadata: {labels: {app: sleepers}}
                spec:
                  terminationGracePeriodSeconds: 2
                  containers:
                  - name: sleep
                    image: {{{Containerd.BusyboxImage}}}
                    command: [sleep, "3600"]
            """);
        var pods = await WaitForReadyPodsAsync("app=sleepers", 3, TimeSpan.FromSeconds(90));
        var ids = pods.Select(p => p.Status.ContainerStatuses.Single().ContainerID["containerd://".Length..]).ToList();
        foreach (var id in ids)
        {
            var status = await Node.Containerd.Runtime.ContainerStatusAsync(id, CancellationToken.None);
            Assert.Equal(ContainerState.ContainerRunning, status.State);
        }

        await KubectlAsync("delete", "deployment", "sleepers", "-n", _ns);
        await WaitAsync(
            async () => (await Node.Client.CoreV1.ListNamespacedPodAsync(_ns, labelSelector: "app=sleepers")).Items.Count == 0 ? "gone" : null,
            "the pods are gone from the API",
            TimeSpan.FromSeconds(60));
        var uids = pods.Select(p => p.Metadata.Uid).ToHashSet();
        await WaitAsync(
            async () =>
            {
                var containers = await Node.Containerd.Runtime.ListContainersAsync(null, CancellationToken.None);
                var sandboxes = await Node.Containerd.Runtime.ListPodSandboxAsync(null, CancellationToken.None);
                return containers.Any(c => ids.Contains(c.Id)) || sandboxes.Any(s => uids.Contains(s.Metadata.Uid)) ? null : "gone";
            },
            "the containers and sandboxes are gone from containerd",
            TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task CrashingContainer_RestartsWithGrowingBackoff()
    {
        await ApplyAsync($$$"""
            apiVersion: v1
            kind: Pod
            metadata: {name: crasher, namespace: {{{_ns}}} }
            spec:
              containers:
              - name: crash
                image: {{{Containerd.BusyboxImage}}}
                command: [sh, -c, "exit 3"]
            """);
        // The time at which each restart count is first seen.
        var seen = new Dictionary<int, DateTime>();
        var pod = await WaitForPodAsync(
            "crasher",
            p =>
            {
                var count = p.Status?.ContainerStatuses?.SingleOrDefault()?.RestartCount ?? -1;
                seen.TryAdd(count, DateTime.UtcNow);
                return count >= 3;
            },
            TimeSpan.FromSeconds(120));
        var status = pod.Status.ContainerStatuses.Single();
        Assert.Equal(3, status.LastState.Terminated.ExitCode);
        Assert.Equal("Error", status.LastState.Terminated.Reason);

        // Backoff: 10 s after the first restart, 20 s after the second (kubelet's 10 s doubling).
        var first = seen[2] - seen[1];
        var second = seen[3] - seen[2];
        Assert.InRange(first.TotalSeconds, 8, 25);
        Assert.True(second > first + TimeSpan.FromSeconds(5), $"backoff did not grow: {first} then {second}");
        var waiting = await WaitForPodAsync("crasher", p => p.Status.ContainerStatuses.Single().State.Waiting is not null, TimeSpan.FromSeconds(30));
        Assert.Equal("CrashLoopBackOff", waiting.Status.ContainerStatuses.Single().State.Waiting.Reason);
    }

    [Fact]
    public async Task FailingLivenessProbe_RestartsTheContainer()
    {
        await ApplyAsync($$$"""
            apiVersion: v1
            kind: Pod
            metadata: {name: unhealthy, namespace: {{{_ns}}} }
            spec:
              terminationGracePeriodSeconds: 1
              containers:
              - name: app
                image: {{{Containerd.BusyboxImage}}}
                command: [sh, -c, "touch /tmp/healthy; sleep 3; rm /tmp/healthy; sleep 3600"]
                livenessProbe:
                  exec: {command: [cat, /tmp/healthy]}
                  periodSeconds: 1
                  failureThreshold: 1
            """);
        var pod = await WaitForPodAsync("unhealthy", p => p.Status?.ContainerStatuses?.SingleOrDefault()?.RestartCount >= 1, TimeSpan.FromSeconds(60));
        var terminated = pod.Status.ContainerStatuses.Single().LastState.Terminated;
        Assert.NotNull(terminated);
        Assert.Contains(terminated.ExitCode, new[] { 137, 143 });
    }

    [Fact]
    public async Task ReadinessProbe_GatesReady()
    {
        await ApplyAsync($$$"""
            apiVersion: v1
            kind: Pod
            metadata: {name: slow-ready, namespace: {{{_ns}}} }
            spec:
              containers:
              - name: app
                image: {{{Containerd.BusyboxImage}}}
                command: [sh, -c, "sleep 4; touch /tmp/ready; sleep 3600"]
                readinessProbe:
                  exec: {command: [cat, /tmp/ready]}
                  periodSeconds: 1
            """);
        var running = await WaitForPodAsync("slow-ready", p => p.Status?.ContainerStatuses?.SingleOrDefault()?.State?.Running is not null, TimeSpan.FromSeconds(60));
        Assert.False(running.Status.ContainerStatuses.Single().Ready);
        Assert.Equal("False", running.Status.Conditions.Single(c => c.Type == "Ready").Status);
        var ready = await WaitForPodAsync("slow-ready", IsReady, TimeSpan.FromSeconds(30));
        var readyAt = ready.Status.Conditions.Single(c => c.Type == "Ready").LastTransitionTime!.Value;
        var startedAt = ready.Status.ContainerStatuses.Single().State.Running.StartedAt!.Value;
        Assert.True(readyAt - startedAt >= TimeSpan.FromSeconds(3), $"Ready at {readyAt:O}, started at {startedAt:O}");
    }

    [Fact]
    public async Task InitContainers_RunInOrder_BeforeTheApp()
    {
        await ApplyAsync($$$"""
            apiVersion: v1
            kind: Pod
            metadata: {name: inits, namespace: {{{_ns}}} }
            spec:
              volumes: [{name: work, emptyDir: {}}]
              initContainers:
              - {name: first, image: {{{Containerd.BusyboxImage}}}, command: [sh, -c, "sleep 1; echo first >> /work/order"], volumeMounts: [{name: work, mountPath: /work}]}
              - {name: second, image: {{{Containerd.BusyboxImage}}}, command: [sh, -c, "echo second >> /work/order"], volumeMounts: [{name: work, mountPath: /work}]}
              containers:
              - name: app
                image: {{{Containerd.BusyboxImage}}}
                command: [sh, -c, "echo app >> /work/order; exec httpd -f -p 8080 -h /work"]
                volumeMounts: [{name: work, mountPath: /work}]
            """);
        var pod = await WaitForPodAsync("inits", p => p.Status?.Phase == "Running" && !string.IsNullOrEmpty(p.Status.PodIP), TimeSpan.FromSeconds(60));
        Assert.Equal("first\nsecond\napp\n", await GetTextAsync(pod.Status.PodIP, "/order", TimeSpan.FromSeconds(30)));
        Assert.All(pod.Status.InitContainerStatuses, s => Assert.Equal("Completed", s.State.Terminated.Reason));
        Assert.Equal("True", pod.Status.Conditions.Single(c => c.Type == "Initialized").Status);
    }

    [Fact]
    public async Task NativeSidecar_StartsBeforeAndStopsAfterTheApp()
    {
        var hostDir = Directory.CreateTempSubdirectory("cetus-sidecar-").FullName;
        try
        {
            await ApplyAsync($$$"""
                apiVersion: v1
                kind: Pod
                metadata: {name: sidecar, namespace: {{{_ns}}} }
                spec:
                  terminationGracePeriodSeconds: 10
                  volumes: [{name: log, hostPath: {path: {{{hostDir}}}, type: Directory}}]
                  initContainers:
                  - name: helper
                    image: {{{Containerd.BusyboxImage}}}
                    restartPolicy: Always
                    command: [sh, -c, "echo helper-start >> /log/order; trap 'sleep 1; echo helper-stop >> /log/order; exit 0' TERM; while true; do sleep 0.1; done"]
                    volumeMounts: [{name: log, mountPath: /log}]
                  containers:
                  - name: app
                    image: {{{Containerd.BusyboxImage}}}
                    command: [sh, -c, "echo app-start >> /log/order; trap 'echo app-stop >> /log/order; exit 0' TERM; while true; do sleep 0.1; done"]
                    volumeMounts: [{name: log, mountPath: /log}]
                """);
            await WaitForPodAsync("sidecar", IsReady, TimeSpan.FromSeconds(60));
            await KubectlAsync("delete", "pod", "sidecar", "-n", _ns, "--wait=true", "--timeout=60s");
            var order = File.ReadAllLines(Path.Combine(hostDir, "order"));
            Assert.Equal(new[] { "helper-start", "app-start", "app-stop", "helper-stop" }, order);
        }
        finally
        {
            Directory.Delete(hostDir, recursive: true);
        }
    }

    [Fact]
    public async Task EnvFromConfigMapAndSecret()
    {
        await ApplyAsync($$$"""
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: settings, namespace: {{{_ns}}} }
            data: {color: blue, size: large}
            ---
            apiVersion: v1
            kind: Secret
            metadata: {name: creds, namespace: {{{_ns}}} }
            stringData: {password: s3cret}
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: env, namespace: {{{_ns}}} }
            spec:
              containers:
              - name: app
                image: {{{Containerd.BusyboxImage}}}
                command: [sh, -c, 'mkdir /www; echo "$COLOR $PASSWORD $CFG_size $MY_POD" > /www/env; exec httpd -f -p 8080 -h /www']
                env:
                - {name: COLOR, valueFrom: {configMapKeyRef: {name: settings, key: color} } }
                - {name: PASSWORD, valueFrom: {secretKeyRef: {name: creds, key: password} } }
                - {name: MY_POD, valueFrom: {fieldRef: {fieldPath: metadata.name} } }
                envFrom:
                - {prefix: CFG_, configMapRef: {name: settings}}
            """);
        var pod = await WaitForPodAsync("env", p => p.Status?.Phase == "Running" && !string.IsNullOrEmpty(p.Status.PodIP), TimeSpan.FromSeconds(60));
        Assert.Equal("blue s3cret large env", (await GetTextAsync(pod.Status.PodIP, "/env", TimeSpan.FromSeconds(30))).Trim());
    }

    [Fact]
    public async Task MemoryLimit_OOMKilled()
    {
        await ApplyAsync($$$"""
            apiVersion: v1
            kind: Pod
            metadata: {name: hog, namespace: {{{_ns}}} }
            spec:
              restartPolicy: Never
              containers:
              - name: hog
                image: {{{Containerd.BusyboxImage}}}
                command: [sh, -c, "head -c 200m /dev/zero | tail"]
                resources: {limits: {memory: 32Mi}}
            """);
        var pod = await WaitForPodAsync("hog", p => p.Status?.Phase == "Failed", TimeSpan.FromSeconds(60));
        var terminated = pod.Status.ContainerStatuses.Single().State.Terminated;
        Assert.Equal("OOMKilled", terminated.Reason);
        Assert.Equal(137, terminated.ExitCode);
    }

    [Fact]
    public async Task KubeletKilledAndRestarted_PodsKeepRunningAndAreAdopted()
    {
        await ApplyAsync($$$"""
            apiVersion: v1
            kind: Pod
            metadata: {name: survivor, namespace: {{{_ns}}} }
            spec:
              containers:
              - {name: app, image: {{{Containerd.BusyboxImage}}}, command: [sleep, "3600"]}
            """);
        var before = await WaitForPodAsync("survivor", IsReady, TimeSpan.FromSeconds(60));
        var id = before.Status.ContainerStatuses.Single().ContainerID["containerd://".Length..];

        await Node.Cluster.KillAndRestartAsync();
        await Node.WaitForNodeReadyAsync(TimeSpan.FromSeconds(60));

        // A pod created after the restart runs, so the new kubelet has synced; the old pod kept its container.
        await ApplyAsync($$$"""
            apiVersion: v1
            kind: Pod
            metadata: {name: newcomer, namespace: {{{_ns}}} }
            spec:
              containers:
              - {name: app, image: {{{Containerd.BusyboxImage}}}, command: [sleep, "3600"]}
            """);
        await WaitForPodAsync("newcomer", IsReady, TimeSpan.FromSeconds(60));
        var after = await WaitForPodAsync("survivor", IsReady, TimeSpan.FromSeconds(30));
        var status = after.Status.ContainerStatuses.Single();
        Assert.Equal("containerd://" + id, status.ContainerID);
        Assert.Equal(0, status.RestartCount);
        Assert.Equal(ContainerState.ContainerRunning, (await Node.Containerd.Runtime.ContainerStatusAsync(id, CancellationToken.None)).State);
        var sandboxes = await Node.Containerd.Runtime.ListPodSandboxAsync(new PodSandboxFilter { LabelSelector = { ["io.kubernetes.pod.uid"] = before.Metadata.Uid } }, CancellationToken.None);
        Assert.Single(sandboxes);
        Assert.Equal(before.Status.PodIP, after.Status.PodIP);
    }

    [Fact]
    public async Task KubeletEvents_ListedByKubectl_ScheduledPulledCreatedStarted()
    {
        await ApplyAsync($$$"""
            apiVersion: v1
            kind: Pod
            metadata: {name: evented, namespace: {{{_ns}}} }
            spec:
              containers:
              - {name: app, image: {{{Containerd.BusyboxImage}}}, command: [sleep, "3600"]}
            """);
        await WaitForPodAsync("evented", IsReady, TimeSpan.FromSeconds(60));

        // Events are written in the background: wait until the four are listed.
        string[] wanted = ["Scheduled", "Pulled", "Created", "Started"];
        var lines = await WaitAsync(
            async () =>
            {
                var result = await Kubectl.RunAsync(Node.Cluster.Kubeconfig, "get", "events", "-n", _ns, "--field-selector", "involvedObject.name=evented", "-o", "jsonpath={range .items[*]}{.reason}|{.source.component}|{.source.host}|{.involvedObject.fieldPath}|{.message}{\"\\n\"}{end}");
                var listed = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
                return wanted.All(r => listed.Any(l => l.StartsWith(r + "|", StringComparison.Ordinal))) ? listed : null;
            },
            "the pod's events",
            TimeSpan.FromSeconds(30));

        Assert.Contains($"Pulled|kubelet|{Node.NodeName}|spec.containers{{app}}|Container image \"{Containerd.BusyboxImage}\" already present on machine", lines);
        Assert.Contains($"Created|kubelet|{Node.NodeName}|spec.containers{{app}}|Created container: app", lines);
        Assert.Contains($"Started|kubelet|{Node.NodeName}|spec.containers{{app}}|Started container app", lines);
        var described = await Kubectl.RunAsync(Node.Cluster.Kubeconfig, "describe", "pod", "evented", "-n", _ns);
        Assert.Matches(@"Normal\s+Started\s+\S+\s+kubelet\s+Started container app", described.Stdout);
    }
}
