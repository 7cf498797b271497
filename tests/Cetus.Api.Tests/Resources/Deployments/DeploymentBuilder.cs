using Cetus.Api.Tests.Resources.Pods;
using k8s.Models;

namespace Cetus.Api.Tests.Resources.Deployments;

/// <summary>A valid Deployment selecting app=web, edited per test.</summary>
internal static class DeploymentBuilder
{
    public static V1Deployment Valid(Action<V1Deployment>? edit = null)
    {
        var labels = new Dictionary<string, string> { ["app"] = "web" };
        var deployment = new V1Deployment
        {
            Metadata = Meta.Named("web"),
            Spec = new V1DeploymentSpec
            {
                Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string>(labels) },
                Template = PodBuilder.Template(labels),
            },
        };
        edit?.Invoke(deployment);
        return deployment;
    }
}
