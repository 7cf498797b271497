using Cetus.ApiServer.OpenApi;
using k8s.Models;
using Xunit;

namespace Cetus.ApiServer.Tests.OpenApi;

public sealed class SchemaNamesTests
{
    [Theory]
    [InlineData(typeof(V1Pod), "io.k8s.api.core.v1.Pod")]
    [InlineData(typeof(V1PodTemplateSpec), "io.k8s.api.core.v1.PodTemplateSpec")]
    [InlineData(typeof(V1ObjectMeta), "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta")]
    [InlineData(typeof(V1LabelSelector), "io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector")]
    [InlineData(typeof(V1Status), "io.k8s.apimachinery.pkg.apis.meta.v1.Status")]
    [InlineData(typeof(V1Deployment), "io.k8s.api.apps.v1.Deployment")]
    [InlineData(typeof(V1RollingUpdateDeployment), "io.k8s.api.apps.v1.RollingUpdateDeployment")]
    [InlineData(typeof(V1Lease), "io.k8s.api.coordination.v1.Lease")]
    [InlineData(typeof(V1Scale), "io.k8s.api.autoscaling.v1.Scale")]
    [InlineData(typeof(Corev1Event), "io.k8s.api.core.v1.Event")]
    [InlineData(typeof(Eventsv1Event), "io.k8s.api.events.v1.Event")]
    [InlineData(typeof(Eventsv1EventSeries), "io.k8s.api.events.v1.EventSeries")]
    [InlineData(typeof(V1beta1LeaseCandidate), "io.k8s.api.coordination.v1beta1.LeaseCandidate")]
    [InlineData(typeof(Apiextensionsv1ServiceReference), "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.ServiceReference")]
    public void ModelType_MapsToTheUpstreamSchemaName(Type type, string expected)
    {
        Assert.Equal(expected, SchemaNames.For(type));
    }

    [Fact]
    public void TypeWithoutAVersion_IsRefused()
    {
        Assert.Throws<InvalidOperationException>(() => SchemaNames.For(typeof(IntOrString)));
    }
}
