<?xml version="1.0" encoding="utf-8"?>
<!-- Keeps only the k8s.Models type and property summaries of KubernetesClient.xml (they are the upstream API
     descriptions), whitespace folded: about 1 MB of the 25 MB file. Names lose their "T:k8s.Models." / "P:k8s.Models."
     prefix: "V1Pod" is a type, "V1Pod.Spec" a property. -->
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
  <xsl:output method="xml" indent="no" encoding="utf-8"/>
  <xsl:template match="/">
    <descriptions>
      <xsl:for-each select="doc/members/member[starts-with(@name, 'T:k8s.Models.') or starts-with(@name, 'P:k8s.Models.')]">
        <d n="{substring(@name, 14)}"><xsl:value-of select="normalize-space(summary)"/></d>
      </xsl:for-each>
    </descriptions>
  </xsl:template>
</xsl:stylesheet>
