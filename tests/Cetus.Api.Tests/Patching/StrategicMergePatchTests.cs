using Cetus.Api.Patching;
using k8s.Models;
using Xunit;
using static Cetus.Api.Tests.Patching.PatchAssert;

namespace Cetus.Api.Tests.Patching;

public sealed class StrategicMergePatchTests
{
    [Theory]
    [InlineData(
        "kubectl apply, second run: annotations merge, replicas and image change, ports stay",
        """{"metadata":{"name":"web","annotations":{"deployment.kubernetes.io/revision":"1","kubectl.kubernetes.io/last-applied-configuration":"old"}},"spec":{"replicas":2,"selector":{"matchLabels":{"app":"web"}},"template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"app","image":"nginx:1.26","ports":[{"containerPort":80,"protocol":"TCP"}],"imagePullPolicy":"IfNotPresent"}]}}}}""",
        """{"metadata":{"annotations":{"kubectl.kubernetes.io/last-applied-configuration":"new"}},"spec":{"replicas":3,"template":{"spec":{"$setElementOrder/containers":[{"name":"app"}],"containers":[{"image":"nginx:1.27","name":"app"}]}}}}""",
        """{"metadata":{"name":"web","annotations":{"deployment.kubernetes.io/revision":"1","kubectl.kubernetes.io/last-applied-configuration":"new"}},"spec":{"replicas":3,"selector":{"matchLabels":{"app":"web"}},"template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"app","image":"nginx:1.27","ports":[{"containerPort":80,"protocol":"TCP"}],"imagePullPolicy":"IfNotPresent"}]}}}}""")]
    [InlineData(
        "kubectl rollout restart adds a template annotation",
        """{"spec":{"template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"app","image":"nginx"}]}}}}""",
        """{"spec":{"template":{"metadata":{"annotations":{"kubectl.kubernetes.io/restartedAt":"2025-06-01T10:00:00Z"}}}}}""",
        """{"spec":{"template":{"metadata":{"labels":{"app":"web"},"annotations":{"kubectl.kubernetes.io/restartedAt":"2025-06-01T10:00:00Z"}},"spec":{"containers":[{"name":"app","image":"nginx"}]}}}}""")]
    [InlineData(
        "kubectl edit: a changed image and a new env var, each list ordered by its directive",
        """{"spec":{"template":{"spec":{"containers":[{"name":"app","image":"nginx:1.26","env":[{"name":"A","value":"1"}]},{"name":"sidecar","image":"envoy"}]}}}}""",
        """{"spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"app"},{"name":"sidecar"}],"containers":[{"$setElementOrder/env":[{"name":"A"},{"name":"B"}],"env":[{"name":"B","value":"2"}],"image":"nginx:1.27","name":"app"}]}}}}""",
        """{"spec":{"template":{"spec":{"containers":[{"name":"app","image":"nginx:1.27","env":[{"name":"A","value":"1"},{"name":"B","value":"2"}]},{"name":"sidecar","image":"envoy"}]}}}}""")]
    [InlineData(
        "kubectl edit removing a container sends $patch: delete",
        """{"spec":{"template":{"spec":{"containers":[{"name":"app","image":"nginx"},{"name":"sidecar","image":"envoy"}]}}}}""",
        """{"spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"app"}],"containers":[{"$patch":"delete","name":"sidecar"}]}}}}""",
        """{"spec":{"template":{"spec":{"containers":[{"name":"app","image":"nginx"}]}}}}""")]
    [InlineData(
        "$retainKeys drops rollingUpdate when the strategy becomes Recreate",
        """{"spec":{"replicas":1,"strategy":{"type":"RollingUpdate","rollingUpdate":{"maxSurge":"25%","maxUnavailable":"25%"}}}}""",
        """{"spec":{"strategy":{"$retainKeys":["type"],"type":"Recreate"}}}""",
        """{"spec":{"replicas":1,"strategy":{"type":"Recreate"}}}""")]
    [InlineData(
        "$retainKeys as kubectl apply sends it, with the dropped field nulled",
        """{"spec":{"strategy":{"type":"RollingUpdate","rollingUpdate":{"maxSurge":"25%"}}}}""",
        """{"spec":{"strategy":{"$retainKeys":["type"],"rollingUpdate":null,"type":"Recreate"}}}""",
        """{"spec":{"strategy":{"type":"Recreate"}}}""")]
    [InlineData(
        "without $retainKeys the strategy merges and rollingUpdate stays (validation rejects it later)",
        """{"spec":{"strategy":{"type":"RollingUpdate","rollingUpdate":{"maxSurge":"25%"}}}}""",
        """{"spec":{"strategy":{"type":"Recreate"}}}""",
        """{"spec":{"strategy":{"type":"Recreate","rollingUpdate":{"maxSurge":"25%"}}}}""")]
    [InlineData(
        "env merges by name and takes the order $setElementOrder gives",
        """{"spec":{"template":{"spec":{"containers":[{"name":"app","env":[{"name":"A","value":"1"},{"name":"B","value":"2"},{"name":"C","value":"3"}]}]}}}}""",
        """{"spec":{"template":{"spec":{"containers":[{"name":"app","$setElementOrder/env":[{"name":"C"},{"name":"A"},{"name":"B"}],"env":[{"name":"A","value":"10"}]}]}}}}""",
        """{"spec":{"template":{"spec":{"containers":[{"name":"app","env":[{"name":"C","value":"3"},{"name":"A","value":"10"},{"name":"B","value":"2"}]}]}}}}""")]
    [InlineData(
        "an item only the server has keeps its place relative to the live list",
        """{"spec":{"template":{"spec":{"containers":[{"name":"app","env":[{"name":"A"},{"name":"X"},{"name":"B"}]}]}}}}""",
        """{"spec":{"template":{"spec":{"containers":[{"name":"app","$setElementOrder/env":[{"name":"B"},{"name":"A"}],"env":[{"name":"B","value":"20"}]}]}}}}""",
        """{"spec":{"template":{"spec":{"containers":[{"name":"app","env":[{"name":"X"},{"name":"B","value":"20"},{"name":"A"}]}]}}}}""")]
    [InlineData(
        "$deleteFromPrimitiveList/finalizers removes values from a merged primitive list",
        """{"metadata":{"finalizers":["a","b","c"]}}""",
        """{"metadata":{"$deleteFromPrimitiveList/finalizers":["b"]}}""",
        """{"metadata":{"finalizers":["a","c"]}}""")]
    [InlineData(
        "kubectl edit of finalizers: order, additions and deletions together",
        """{"metadata":{"finalizers":["a","b","c"]}}""",
        """{"metadata":{"$setElementOrder/finalizers":["a","c","d"],"$deleteFromPrimitiveList/finalizers":["b"],"finalizers":["d"]}}""",
        """{"metadata":{"finalizers":["a","c","d"]}}""")]
    [InlineData(
        "$setElementOrder alone reorders a list without changing its items",
        """{"metadata":{"finalizers":["a","b","c"]}}""",
        """{"metadata":{"$setElementOrder/finalizers":["c","a","b"]}}""",
        """{"metadata":{"finalizers":["c","a","b"]}}""")]
    [InlineData(
        "finalizers merge as a set, patch values first where the live order says nothing",
        """{"metadata":{"finalizers":["a","b"]}}""",
        """{"metadata":{"finalizers":["d","a"]}}""",
        """{"metadata":{"finalizers":["d","a","b"]}}""")]
    [InlineData(
        "deployment conditions merge by type",
        """{"status":{"conditions":[{"type":"Progressing","status":"True"},{"type":"Available","status":"False","reason":"MinimumReplicasUnavailable"}]}}""",
        """{"status":{"conditions":[{"type":"Available","status":"True","reason":"MinimumReplicasAvailable"}]}}""",
        """{"status":{"conditions":[{"type":"Progressing","status":"True"},{"type":"Available","status":"True","reason":"MinimumReplicasAvailable"}]}}""")]
    [InlineData(
        "null removes a label",
        """{"metadata":{"labels":{"app":"web","tier":"fe"}}}""",
        """{"metadata":{"labels":{"tier":null}}}""",
        """{"metadata":{"labels":{"app":"web"}}}""")]
    [InlineData(
        "a new container lands before the existing one, as the kubectl patch docs show",
        """{"spec":{"template":{"spec":{"containers":[{"name":"patch-demo-ctr","image":"nginx"}]}}}}""",
        """{"spec":{"template":{"spec":{"containers":[{"name":"patch-demo-ctr-2","image":"redis"}]}}}}""",
        """{"spec":{"template":{"spec":{"containers":[{"name":"patch-demo-ctr-2","image":"redis"},{"name":"patch-demo-ctr","image":"nginx"}]}}}}""")]
    [InlineData(
        "tolerations have no merge strategy and are replaced",
        """{"spec":{"template":{"spec":{"tolerations":[{"key":"a","operator":"Exists"}]}}}}""",
        """{"spec":{"template":{"spec":{"tolerations":[{"effect":"NoSchedule","key":"disktype","value":"ssd"}]}}}}""",
        """{"spec":{"template":{"spec":{"tolerations":[{"effect":"NoSchedule","key":"disktype","value":"ssd"}]}}}}""")]
    [InlineData(
        "$patch: replace in a list makes the rest of the list the whole list",
        """{"spec":{"template":{"spec":{"containers":[{"name":"a"},{"name":"b"}]}}}}""",
        """{"spec":{"template":{"spec":{"containers":[{"$patch":"replace"},{"name":"only","image":"busybox"}]}}}}""",
        """{"spec":{"template":{"spec":{"containers":[{"name":"only","image":"busybox"}]}}}}""")]
    [InlineData(
        "$patch: replace in a map replaces the map",
        """{"spec":{"template":{"metadata":{"labels":{"app":"web","tier":"fe"}}}}}""",
        """{"spec":{"template":{"metadata":{"labels":{"$patch":"replace","run":"x"}}}}}""",
        """{"spec":{"template":{"metadata":{"labels":{"run":"x"}}}}}""")]
    [InlineData(
        "$patch: delete in a map empties it",
        """{"spec":{"replicas":1,"strategy":{"type":"Recreate"}}}""",
        """{"spec":{"strategy":{"$patch":"delete"}}}""",
        """{"spec":{"replicas":1,"strategy":{}}}""")]
    [InlineData(
        "$retainKeys in a volume switches its source",
        """{"spec":{"template":{"spec":{"volumes":[{"name":"data","emptyDir":{}},{"name":"cfg","configMap":{"name":"c1"}}]}}}}""",
        """{"spec":{"template":{"spec":{"volumes":[{"$retainKeys":["name","persistentVolumeClaim"],"name":"data","persistentVolumeClaim":{"claimName":"pvc"}}]}}}}""",
        """{"spec":{"template":{"spec":{"volumes":[{"name":"data","persistentVolumeClaim":{"claimName":"pvc"}},{"name":"cfg","configMap":{"name":"c1"}}]}}}}""")]
    [InlineData(
        "container ports merge by containerPort",
        """{"spec":{"template":{"spec":{"containers":[{"name":"app","ports":[{"containerPort":80,"protocol":"TCP"},{"containerPort":9090}]}]}}}}""",
        """{"spec":{"template":{"spec":{"containers":[{"name":"app","ports":[{"containerPort":80,"name":"http"}]}]}}}}""",
        """{"spec":{"template":{"spec":{"containers":[{"name":"app","ports":[{"containerPort":80,"protocol":"TCP","name":"http"},{"containerPort":9090}]}]}}}}""")]
    [InlineData(
        "a new field is taken without its nulls",
        """{"spec":{"template":{"spec":{"containers":[{"name":"app"}]}}}}""",
        """{"spec":{"template":{"spec":{"securityContext":{"runAsUser":1000,"fsGroup":null}}}}}""",
        """{"spec":{"template":{"spec":{"containers":[{"name":"app"}],"securityContext":{"runAsUser":1000}}}}}""")]
    [InlineData(
        "a null patch changes nothing",
        """{"spec":{"replicas":1}}""",
        "null",
        """{"spec":{"replicas":1}}""")]
    public void Apply_ToADeployment_ProducesTheExpectedObject(string behaviour, string original, string patch, string expected)
    {
        Assert.NotEmpty(behaviour);

        JsonEqual(expected, StrategicMergePatch.Apply(Doc(original), Doc(patch), typeof(V1Deployment)));
    }

    [Theory]
    [InlineData(
        "service ports merge by port",
        typeof(V1Service),
        """{"spec":{"ports":[{"name":"http","port":80,"targetPort":8080},{"name":"https","port":443,"targetPort":8443}]}}""",
        """{"spec":{"ports":[{"port":443,"targetPort":9443}]}}""",
        """{"spec":{"ports":[{"name":"http","port":80,"targetPort":8080},{"name":"https","port":443,"targetPort":9443}]}}""")]
    [InlineData(
        "a kubelet status patch updates one pod condition in place",
        typeof(V1Pod),
        """{"status":{"conditions":[{"type":"Initialized","status":"True"},{"type":"Ready","status":"False"},{"type":"PodScheduled","status":"True"}],"podIPs":[{"ip":"10.0.0.5"}]}}""",
        """{"status":{"$setElementOrder/conditions":[{"type":"Initialized"},{"type":"Ready"},{"type":"PodScheduled"}],"conditions":[{"status":"True","type":"Ready"}]}}""",
        """{"status":{"conditions":[{"type":"Initialized","status":"True"},{"type":"Ready","status":"True"},{"type":"PodScheduled","status":"True"}],"podIPs":[{"ip":"10.0.0.5"}]}}""")]
    [InlineData(
        "node addresses merge by type",
        typeof(V1Node),
        """{"status":{"addresses":[{"type":"InternalIP","address":"10.0.0.1"},{"type":"Hostname","address":"n1"}]}}""",
        """{"status":{"addresses":[{"type":"InternalIP","address":"10.0.0.2"}]}}""",
        """{"status":{"addresses":[{"type":"InternalIP","address":"10.0.0.2"},{"type":"Hostname","address":"n1"}]}}""")]
    [InlineData(
        "owner references merge by uid",
        typeof(V1ConfigMap),
        """{"metadata":{"ownerReferences":[{"uid":"u1","name":"a","kind":"Deployment","apiVersion":"apps/v1"}]}}""",
        """{"metadata":{"ownerReferences":[{"uid":"u1","controller":true}]}}""",
        """{"metadata":{"ownerReferences":[{"uid":"u1","name":"a","kind":"Deployment","apiVersion":"apps/v1","controller":true}]}}""")]
    [InlineData(
        "service account secrets merge by name",
        typeof(V1ServiceAccount),
        """{"secrets":[{"name":"token-a"}]}""",
        """{"secrets":[{"name":"token-b"}]}""",
        """{"secrets":[{"name":"token-b"},{"name":"token-a"}]}""")]
    [InlineData(
        "without a model type every list is replaced and maps still merge",
        typeof(object),
        """{"spec":{"containers":[{"name":"a"}],"x":{"y":1}}}""",
        """{"spec":{"containers":[{"name":"b"}],"x":{"z":2}}}""",
        """{"spec":{"containers":[{"name":"b"}],"x":{"y":1,"z":2}}}""")]
    public void Apply_ToOtherTypes_UsesTheirMergeKeys(string behaviour, Type modelType, string original, string patch, string expected)
    {
        Assert.NotEmpty(behaviour);

        JsonEqual(expected, StrategicMergePatch.Apply(Doc(original), Doc(patch), modelType));
    }

    [Fact]
    public void Apply_DoesNotChangeItsInputs()
    {
        var original = Doc("""{"metadata":{"labels":{"a":"1"},"finalizers":["x"]},"spec":{"template":{"spec":{"containers":[{"name":"app","env":[{"name":"A"}]}]}}}}""");
        var patch = Doc("""{"metadata":{"labels":{"a":null,"b":"2"},"$deleteFromPrimitiveList/finalizers":["x"]},"spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"app"},{"name":"new"}],"containers":[{"name":"app","$setElementOrder/env":[{"name":"B"},{"name":"A"}],"env":[{"name":"B"}]},{"name":"new"}]}}}}""");
        var (originalBefore, patchBefore) = (original.ToJsonString(), patch.ToJsonString());

        var result = StrategicMergePatch.Apply(original, patch, typeof(V1Deployment));
        result["spec"]!["template"]!["spec"]!["containers"]![1]!["image"] = "changed";

        Assert.Equal(originalBefore, original.ToJsonString());
        Assert.Equal(patchBefore, patch.ToJsonString());
        JsonEqual(
            """{"metadata":{"labels":{"b":"2"},"finalizers":[]},"spec":{"template":{"spec":{"containers":[{"name":"app","env":[{"name":"B"},{"name":"A"}]},{"name":"new","image":"changed"}]}}}}""",
            result);
    }
}
