using System.Text;
using System.Text.Json.Nodes;
using Cetus.Api.Json;
using k8s.Models;
using Xunit;

namespace Cetus.Api.Tests.Json;

public sealed class MicroTimeTests
{
    private static readonly DateTime Whole = new(2026, 1, 1, 0, 0, 10, DateTimeKind.Utc);

    [Fact]
    public void MicroTimeFields_AreWrittenWithSixDigits_TimeFieldsInWholeSeconds()
    {
        // As upstream: metav1.MicroTime is RFC 3339 with six fractional digits even when they are all zero, metav1.Time
        // whole seconds; an unset MicroTime is left out.
        var lease = new V1Lease
        {
            Metadata = new V1ObjectMeta { Name = "node-a", CreationTimestamp = Whole },
            Spec = new V1LeaseSpec { HolderIdentity = "node-a", RenewTime = Whole, AcquireTime = Whole.AddTicks(5_123_450) },
        };

        var json = JsonNode.Parse(KubeJson.Serialize(lease))!;

        Assert.Equal("2026-01-01T00:00:10.000000Z", (string?)json["spec"]!["renewTime"]);
        Assert.Equal("2026-01-01T00:00:10.512345Z", (string?)json["spec"]!["acquireTime"]);
        Assert.Equal("2026-01-01T00:00:10Z", (string?)json["metadata"]!["creationTimestamp"]);
        Assert.DoesNotContain("leaseTransitions", json["spec"]!.ToJsonString(), StringComparison.Ordinal);
        Assert.Null(JsonNode.Parse(KubeJson.Serialize(new V1Lease { Spec = new V1LeaseSpec() }))!["spec"]!["renewTime"]);
    }

    [Theory]
    [InlineData("2026-01-01T00:00:10.000000Z")]
    [InlineData("2026-01-01T00:00:10Z")]
    [InlineData("2026-01-01T00:00:10.5Z")]
    public void MicroTimeFields_ReadEitherForm_AndWriteTheSixDigitOne(string written)
    {
        var core = KubeJson.Deserialize<Corev1Event>(Encoding.UTF8.GetBytes($$$"""{"eventTime":"{{{written}}}","series":{"count":2,"lastObservedTime":"{{{written}}}"}}"""))!;
        var events = KubeJson.Deserialize<Eventsv1Event>(Encoding.UTF8.GetBytes($$$"""{"eventTime":"{{{written}}}","series":{"count":2,"lastObservedTime":"{{{written}}}"}}"""))!;

        var expected = written.Contains(".5", StringComparison.Ordinal) ? "2026-01-01T00:00:10.500000Z" : "2026-01-01T00:00:10.000000Z";
        foreach (var json in new[] { JsonNode.Parse(KubeJson.Serialize(core))!, JsonNode.Parse(KubeJson.Serialize(events))! })
        {
            Assert.Equal(expected, (string?)json["eventTime"]);
            Assert.Equal(expected, (string?)json["series"]!["lastObservedTime"]);
        }
    }
}
