using k8s.Models;

namespace Cetus.Api.Tests.Resources.Pods;

/// <summary>Valid pods and pod templates, edited per test.</summary>
internal static class PodBuilder
{
    public static V1Pod Valid(Action<V1Pod>? edit = null)
    {
        var pod = new V1Pod { Metadata = Meta.Named("web"), Spec = Spec() };
        edit?.Invoke(pod);
        return pod;
    }

    public static V1PodSpec Spec() => new() { Containers = [Container("app")] };

    public static V1Container Container(string name, string image = "nginx:1.27") => new() { Name = name, Image = image };

    public static V1PodTemplateSpec Template(IDictionary<string, string> labels) =>
        new() { Metadata = new V1ObjectMeta { Labels = labels }, Spec = Spec() };

    public static Dictionary<string, ResourceQuantity> Resources(params (string Name, string Value)[] entries) =>
        entries.ToDictionary(e => e.Name, e => new ResourceQuantity(e.Value));
}
