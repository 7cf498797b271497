using k8s.Models;
using Xunit;

namespace Cetus.Api.Tests.Resources.Namespaces;

public sealed class NamespaceStrategyTests
{
    [Fact]
    public void Create_IsActive_WithTheKubernetesFinalizer_AndItsNameLabel()
    {
        var ns = Valid(n => n.Status = new V1NamespaceStatus { Phase = "Terminating" });

        Assert.Empty(StrategyRun.Create(ns));

        Assert.Equal("Active", ns.Status.Phase);
        Assert.Equal(["kubernetes"], ns.Spec.Finalizers);
        Assert.Equal("team-a", ns.Metadata.Labels["kubernetes.io/metadata.name"]);
    }

    [Fact]
    public void Create_AddsTheKubernetesFinalizerOnlyOnce()
    {
        var ns = Valid(n => n.Spec = new V1NamespaceSpec { Finalizers = ["example.com/cleanup", "kubernetes"] });

        StrategyRun.Create(ns);

        Assert.Equal(["example.com/cleanup", "kubernetes"], ns.Spec.Finalizers);
    }

    public static TheoryData<string, string> Rejected => new()
    {
        { "dotted name", "metadata.name: Invalid value: \"team.a\": must not contain dots" },
        { "upper case name", "metadata.name: Invalid value: \"Team\": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')" },
        { "namespaced namespace", "metadata.namespace: Forbidden: not allowed on this type" },
        { "unqualified finalizer", "spec.finalizers: Invalid value: \"cleanup\": name is neither a standard finalizer name nor is it fully qualified" },
    };

    private static readonly Dictionary<string, Action<V1Namespace>> Edits = new()
    {
        ["dotted name"] = n => n.Metadata.Name = "team.a",
        ["upper case name"] = n => n.Metadata.Name = "Team",
        ["namespaced namespace"] = n => n.Metadata.NamespaceProperty = "default",
        ["unqualified finalizer"] = n => n.Spec = new V1NamespaceSpec { Finalizers = ["cleanup"] },
    };

    [Theory]
    [MemberData(nameof(Rejected))]
    public void Create_RejectsWithUpstreamMessage(string name, string message)
    {
        Assert.Contains(message, StrategyRun.Create(Valid(Edits[name])));
    }

    [Fact]
    public void Update_KeepsFinalizersAndStatus_NameIsImmutable()
    {
        var old = StrategyRun.Created(Valid());
        var ns = StrategyRun.Copy(old);
        ns.Spec.Finalizers = [];
        ns.Status.Phase = "Terminating";
        ns.Metadata.Name = "team-b";

        var errors = StrategyRun.Update(ns, old);

        Assert.Equal(["kubernetes"], ns.Spec.Finalizers);
        Assert.Equal("Active", ns.Status.Phase);
        Assert.Contains("metadata.name: Invalid value: \"team-b\": field is immutable", errors);
    }

    [Fact]
    public void StatusUpdate_PhaseMustFollowTheDeletionTimestamp()
    {
        var old = StrategyRun.Created(Valid());
        var ns = StrategyRun.Copy(old);
        ns.Status.Phase = "Terminating";

        Assert.Equal(
            ["status.Phase: Invalid value: \"Terminating\": may only be 'Active' if `deletionTimestamp` is empty"],
            StrategyRun.UpdateStatus(ns, old));
    }

    [Fact]
    public void SelectableFields_IncludePhaseAndLegacyName()
    {
        var ns = StrategyRun.Created(Valid());

        Assert.Equal(
            new Dictionary<string, string> { ["metadata.name"] = "team-a", ["status.phase"] = "Active", ["name"] = "team-a" },
            StrategyRun.For<V1Namespace>().SelectableFields(ns));
    }

    private static V1Namespace Valid(Action<V1Namespace>? edit = null)
    {
        var ns = new V1Namespace { Metadata = new V1ObjectMeta { Name = "team-a" } };
        edit?.Invoke(ns);
        return ns;
    }
}
