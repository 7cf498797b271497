using Cetus.Api.Scheme;
using k8s.Models;
using Xunit;

namespace Cetus.Api.Tests;

public sealed class SchedulerEndpointTests
{
    [Theory]
    [InlineData("sched-1", "sched-1", "https://10.0.0.5:10259", "ab12", true)]
    [InlineData("sched-2", "sched-1", "https://10.0.0.5:10259", "ab12", false)] // left by an earlier leader
    [InlineData("sched-1", "sched-1", "http://10.0.0.5:10259", "ab12", false)] // not HTTPS
    [InlineData("sched-1", "sched-1", "https://10.0.0.5:10259", "", false)] // nothing to pin
    [InlineData(null, "sched-1", "https://10.0.0.5:10259", "ab12", false)] // nobody holds the lease
    public void Read_TakesOnlyTheCurrentHoldersHttpsEndpoint(string? holder, string publishedBy, string url, string sha, bool found)
    {
        var lease = new V1Lease
        {
            Metadata = new V1ObjectMeta
            {
                Name = SchedulerEndpoint.LeaseName,
                Annotations = new Dictionary<string, string>
                {
                    [SchedulerEndpoint.HolderAnnotation] = publishedBy,
                    [SchedulerEndpoint.UrlAnnotation] = url,
                    [SchedulerEndpoint.CertificateAnnotation] = sha,
                },
            },
            Spec = new V1LeaseSpec { HolderIdentity = holder },
        };

        var endpoint = SchedulerEndpoint.Read(lease);

        Assert.Equal(found, endpoint is not null);
        if (found)
        {
            Assert.Equal((new Uri(url), sha), endpoint!.Value);
        }
    }

    [Fact]
    public void PodPath_EscapesTheNames() =>
        Assert.Equal("/debug/scheduler/pods/default/a%20b", SchedulerEndpoint.PodPath("default", "a b"));
}
