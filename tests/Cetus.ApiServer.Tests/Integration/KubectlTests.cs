using Cetus.Testing;
using Xunit;

namespace Cetus.ApiServer.Tests.Integration;

public sealed class KubectlTests(ApiServerFixture server) : IClassFixture<ApiServerFixture>
{
    [Fact]
    public async Task Version_ShowsTheServerVersion()
    {
        var result = await Kubectl.RunAsync(server.KubeconfigPath, "version");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.True(result.Stdout.Contains("Server Version: v1.32.4-cetus", StringComparison.Ordinal), result.ToString());
    }

    [Fact]
    public async Task GetNamespaces_PrintsTheTable()
    {
        var result = await Kubectl.RunAsync(server.KubeconfigPath, "get", "namespaces");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("kube-system", result.Stdout, StringComparison.Ordinal);
        Assert.StartsWith("NAME", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ApiResources_ListsPodsWithShortNames()
    {
        var result = await Kubectl.RunAsync(server.KubeconfigPath, "api-resources");
        Assert.True(result.ExitCode == 0, result.ToString());
        // metrics.k8s.io has a "pods" resource too (kind PodMetrics): the core one is the line of kind Pod.
        var pods = result.Stdout.Split('\n').Single(l => l.StartsWith("pods ", StringComparison.Ordinal) && l.TrimEnd().EndsWith(" Pod", StringComparison.Ordinal));
        Assert.Contains(" po ", pods, StringComparison.Ordinal);
        Assert.Contains("deployments", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateConfigMap_GetAsYaml_Delete()
    {
        var created = await Kubectl.RunAsync(server.KubeconfigPath, "create", "configmap", "kubectl-cm", "--from-literal=k=v");
        Assert.True(created.ExitCode == 0, created.ToString());
        Assert.Contains("configmap/kubectl-cm created", created.Stdout, StringComparison.Ordinal);

        var yaml = await Kubectl.RunAsync(server.KubeconfigPath, "get", "cm", "kubectl-cm", "-o", "yaml");
        Assert.True(yaml.ExitCode == 0, yaml.ToString());
        Assert.Contains("k: v", yaml.Stdout, StringComparison.Ordinal);
        Assert.Contains("resourceVersion:", yaml.Stdout, StringComparison.Ordinal);

        var deleted = await Kubectl.RunAsync(server.KubeconfigPath, "delete", "cm", "kubectl-cm");
        Assert.True(deleted.ExitCode == 0, deleted.ToString());
        Assert.Contains("configmap \"kubectl-cm\" deleted", deleted.Stdout, StringComparison.Ordinal);

        var missing = await Kubectl.RunAsync(server.KubeconfigPath, "get", "cm", "kubectl-cm");
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("configmaps \"kubectl-cm\" not found", missing.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreatePriorityClass_GetShowsUpstreamColumns()
    {
        var created = await Kubectl.RunAsync(server.KubeconfigPath, "create", "priorityclass", "kubectl-high", "--value=1000", "--description=high", "--preemption-policy=Never");
        Assert.True(created.ExitCode == 0, created.ToString());
        Assert.Contains("priorityclass.scheduling.k8s.io/kubectl-high created", created.Stdout, StringComparison.Ordinal);

        var listed = await Kubectl.RunAsync(server.KubeconfigPath, "get", "pc");
        Assert.True(listed.ExitCode == 0, listed.ToString());
        var lines = listed.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["NAME", "VALUE", "GLOBAL-DEFAULT", "AGE", "PREEMPTIONPOLICY"], lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains(lines, l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries) is ["kubectl-high", "1000", "false", _, "Never"]);
        Assert.Contains(lines, l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries) is ["system-node-critical", "2000001000", "false", _, "PreemptLowerPriority"]);

        var tooHigh = await Kubectl.RunAsync(server.KubeconfigPath, "create", "priorityclass", "kubectl-too-high", "--value=1000000001");
        Assert.Equal(1, tooHigh.ExitCode);
        Assert.Contains("maximum allowed value of a user defined priority is 1000000000", tooHigh.Stderr, StringComparison.Ordinal);
    }
}
