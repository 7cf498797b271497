using System.Diagnostics;
using Cetus.Testing;
using Xunit;

namespace Cetus.Node.Tests;

/// <summary>
/// Image pulls that fail (ErrImagePull, then ImagePullBackOff while the pull backs off) and ConfigMap edits reaching a
/// running container's mounted files through the kubelet's watch, on the real containerd.
/// </summary>
[Collection(NodeCollection.Name)]
public sealed class ImagePullAndConfigScenarios(NodeFixture fixture) : NodeScenario(fixture)
{
    [Fact]
    public async Task ImageThatCannotBePulled_ErrImagePull_ThenImagePullBackOff()
    {
        // Nothing listens on port 1: containerd's pull fails at once.
        const string image = "127.0.0.1:1/none:1";
        await ApplyAsync($$$"""
            apiVersion: v1
            kind: Pod
            metadata: {name: unpullable, namespace: {{{_ns}}} }
            spec:
              containers:
              - name: app
                image: {{{image}}}
            """);
        var reasons = new List<string>();
        var pod = await WaitForPodAsync(
            "unpullable",
            p =>
            {
                var waiting = p.Status?.ContainerStatuses?.SingleOrDefault()?.State?.Waiting;
                if (waiting?.Reason is { } reason && (reasons.Count == 0 || reasons[^1] != reason))
                {
                    reasons.Add(reason);
                }

                return waiting?.Reason == "ImagePullBackOff";
            },
            TimeSpan.FromSeconds(90));
        var state = pod.Status.ContainerStatuses.Single().State.Waiting;
        Assert.Equal($"Back-off pulling image \"{image}\"", state.Message);
        Assert.Equal("Pending", pod.Status.Phase);
        Assert.Contains("ErrImagePull", reasons);

        var get = await Kubectl.RunAsync(Node.Cluster.Kubeconfig, "get", "pod", "unpullable", "-n", _ns);
        Assert.Matches(@"unpullable\s+0/1\s+(ImagePullBackOff|ErrImagePull)\s+0\s+", get.Stdout);
        var described = await Kubectl.RunAsync(Node.Cluster.Kubeconfig, "describe", "pod", "unpullable", "-n", _ns);
        Assert.Matches($@"Warning\s+Failed\s+.*kubelet\s+Failed to pull image ""{image}"": rpc error: code = ", described.Stdout);
    }

    [Fact]
    public async Task ConfigMapEdit_ReachesTheMountedFile_InTheRunningContainer_WithinSeconds()
    {
        await ApplyAsync($$$"""
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: site, namespace: {{{_ns}}} }
            data: {index.html: first}
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: site, namespace: {{{_ns}}} }
            spec:
              containers:
              - name: web
                image: {{{Containerd.BusyboxImage}}}
                command: [httpd, -f, -p, "8080", -h, /www]
                volumeMounts: [{name: content, mountPath: /www}]
              volumes:
              - name: content
                configMap: {name: site}
            """);
        var pod = await WaitForPodAsync("site", p => p.Status?.Phase == "Running" && !string.IsNullOrEmpty(p.Status.PodIP), TimeSpan.FromSeconds(60));
        Assert.Equal("first", (await GetTextAsync(pod.Status.PodIP, "/index.html", TimeSpan.FromSeconds(30))).Trim());

        var edited = Stopwatch.StartNew();
        await KubectlAsync("patch", "configmap", "site", "-n", _ns, "--type=merge", "-p", "{\"data\":{\"index.html\":\"second\"}}");
        await WaitAsync(
            async () => (await GetTextAsync(pod.Status.PodIP, "/index.html", TimeSpan.FromSeconds(5))).Trim() == "second" ? "second" : null,
            "the edited page",
            TimeSpan.FromSeconds(10));
        Assert.InRange(edited.Elapsed.TotalSeconds, 0, 10);
    }
}
