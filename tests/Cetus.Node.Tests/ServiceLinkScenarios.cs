using Cetus.Testing;
using k8s;
using Xunit;

namespace Cetus.Node.Tests;

/// <summary>Service-link variables in a container started by the real kubelet on containerd.</summary>
[Collection(NodeCollection.Name)]
public sealed class ServiceLinkScenarios(NodeFixture fixture) : NodeScenario(fixture)
{
    [Fact]
    public async Task Pod_SeesItsNamespacesServicesAndTheKubernetesServiceInItsEnvironment()
    {
        await KubectlAsync("create", "service", "clusterip", "my-svc", "--tcp=80:8080", "-n", _ns);
        var service = await Node.Client.CoreV1.ReadNamespacedServiceAsync("my-svc", _ns);
        await ApplyAsync($$$"""
            apiVersion: v1
            kind: Pod
            metadata: {name: env-printer, namespace: {{{_ns}}} }
            spec:
              restartPolicy: Never
              containers:
              - name: env
                image: {{{Containerd.BusyboxImage}}}
                command: [sh, -c, env]
                env: [{name: TARGET, value: "$(MY_SVC_SERVICE_HOST):$(MY_SVC_SERVICE_PORT)"}]
            """);
        await WaitForPodAsync("env-printer", p => p.Status?.Phase == "Succeeded", TimeSpan.FromSeconds(60));

        var logs = await Kubectl.RunAsync(Node.Cluster.Kubeconfig, "logs", "env-printer", "-n", _ns);
        Assert.True(logs.ExitCode == 0, logs.ToString());
        var env = logs.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1]);
        var ip = service.Spec.ClusterIP;
        Assert.Equal(ip, env["MY_SVC_SERVICE_HOST"]);
        Assert.Equal("80", env["MY_SVC_SERVICE_PORT"]);
        Assert.Equal("80", env["MY_SVC_SERVICE_PORT_80_8080"]);
        Assert.Equal($"tcp://{ip}:80", env["MY_SVC_PORT"]);
        Assert.Equal($"tcp://{ip}:80", env["MY_SVC_PORT_80_TCP"]);
        Assert.Equal("tcp", env["MY_SVC_PORT_80_TCP_PROTO"]);
        Assert.Equal("80", env["MY_SVC_PORT_80_TCP_PORT"]);
        Assert.Equal(ip, env["MY_SVC_PORT_80_TCP_ADDR"]);
        Assert.Equal($"{ip}:80", env["TARGET"]);
        Assert.Equal("10.43.0.1", env["KUBERNETES_SERVICE_HOST"]);
        Assert.Equal("443", env["KUBERNETES_SERVICE_PORT"]);
        Assert.Equal("443", env["KUBERNETES_SERVICE_PORT_HTTPS"]);
    }
}
