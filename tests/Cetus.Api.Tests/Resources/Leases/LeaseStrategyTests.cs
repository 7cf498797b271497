using k8s.Models;
using Xunit;

namespace Cetus.Api.Tests.Resources.Leases;

public sealed class LeaseStrategyTests
{
    public static TheoryData<string, string> Rejected => new()
    {
        { "zero duration", "spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0" },
        { "negative transitions", "spec.leaseTransitions: Invalid value: -1: must be greater than or equal to 0" },
        { "unknown strategy", "spec.strategy.strategy: Unsupported value: \"Newest\": supported values: \"OldestEmulationVersion\"" },
        { "preferred holder without strategy", "spec.preferredHolder: Forbidden: may only be specified if `strategy` is defined" },
        { "bad name", "metadata.name: Invalid value: \"Kube_Scheduler\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')" },
    };

    private static readonly Dictionary<string, Action<V1Lease>> Edits = new()
    {
        ["zero duration"] = l => l.Spec.LeaseDurationSeconds = 0,
        ["negative transitions"] = l => l.Spec.LeaseTransitions = -1,
        ["unknown strategy"] = l => l.Spec.Strategy = "Newest",
        ["preferred holder without strategy"] = l => l.Spec.PreferredHolder = "node-2",
        ["bad name"] = l => l.Metadata.Name = "Kube_Scheduler",
    };

    [Theory]
    [MemberData(nameof(Rejected))]
    public void Create_RejectsWithUpstreamMessage(string name, string message)
    {
        Assert.Contains(message, StrategyRun.Create(Valid(Edits[name])));
    }

    [Fact]
    public void Update_RenewingIsValid_InvalidSpecIsNot()
    {
        var old = StrategyRun.Created(Valid());
        var renewed = StrategyRun.Copy(old);
        renewed.Spec.RenewTime = new DateTime(2024, 5, 1, 10, 0, 5, DateTimeKind.Utc);
        renewed.Spec.LeaseTransitions = 1;
        var broken = StrategyRun.Copy(old);
        broken.Spec.LeaseDurationSeconds = -5;

        Assert.Empty(StrategyRun.Update(renewed, old));
        Assert.Equal(["spec.leaseDurationSeconds: Invalid value: -5: must be greater than 0"], StrategyRun.Update(broken, old));
    }

    private static V1Lease Valid(Action<V1Lease>? edit = null)
    {
        var lease = new V1Lease
        {
            Metadata = Meta.Named("kube-scheduler", "kube-system"),
            Spec = new V1LeaseSpec { HolderIdentity = "node-1", LeaseDurationSeconds = 15, LeaseTransitions = 0 },
        };
        edit?.Invoke(lease);
        return lease;
    }
}
