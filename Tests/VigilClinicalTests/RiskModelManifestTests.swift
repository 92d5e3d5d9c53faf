import Foundation
import Testing
import VigilClinical
import VigilCore
import VigilManifest

/// Reading the shipped manifest, and refusing broken ones with the place of the fault.
@Suite struct RiskModelManifestTests {
  static func shippedJSON() throws -> [String: Any] {
    let data = try Data(contentsOf: URL(fileURLWithPath: Fixture.manifestPath))
    return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
  }

  static func manifest(_ edit: (inout [String: Any]) -> Void) throws -> RiskModelManifest {
    var json = try shippedJSON()
    edit(&json)
    return try RiskModelManifest(json: try JSONSerialization.data(withJSONObject: json))
  }

  static func editInput(_ json: inout [String: Any], _ edit: (inout [String: Any]) -> Void) {
    var input = json["input"] as! [String: Any]
    edit(&input)
    json["input"] = input
  }

  static func editFeature(
    _ json: inout [String: Any], _ index: Int, _ edit: (inout [String: Any]) -> Void
  ) {
    editInput(&json) { input in
      var features = input["features"] as! [[String: Any]]
      edit(&features[index])
      input["features"] = features
    }
  }

  @Test func theShippedManifestGivesTheContractItsFilesDescribe() throws {
    let manifest = try RiskModelManifest(contentsOf: Fixture.manifestPath)
    #expect(manifest.name == "vigil-risk")
    #expect(manifest.modelFile == "vigil-risk.tflite")
    let model = try Data(contentsOf: Fixture.models.appendingPathComponent(manifest.modelFile))
    #expect(manifest.modelBytes == model.count)
    #expect(SHA256.hexDigest(model) == manifest.modelSHA256)
    #expect(manifest.input.features.count == 332)
    #expect(manifest.input.channels.count == 9)
    #expect(manifest.input.hoursOfHistory == 48)
    #expect(manifest.validatedHoursMax == 59)
    #expect(manifest.fallbackNEWS2AtLeast == 5)
    #expect(manifest.input.news2AlertTotal == NEWS2.urgentResponseTotal)
  }

  @Test func aMissingFieldIsNamedByItsPath() throws {
    #expect(throws: ManifestError.missingField("input.features[7].mean")) {
      try Self.manifest { Self.editFeature(&$0, 7) { $0["mean"] = nil } }
    }
    #expect(throws: ManifestError.missingField("validated_range.hours_since_admission_max")) {
      try Self.manifest { $0["validated_range"] = nil }
    }
  }

  @Test func anUnknownFeatureKindIsRefusedRatherThanGuessed() throws {
    #expect(
      throws: ManifestError.unknownName(field: "input.features[3].kind", name: "window_median")
    ) {
      try Self.manifest { Self.editFeature(&$0, 3) { $0["kind"] = "window_median" } }
    }
  }

  @Test func aFeatureReadingAnUndefinedChannelIsRefused() throws {
    #expect(
      throws: ManifestError.contract(
        .unknownChannel(feature: 0, name: "HR.z", channel: "EtCO2"))
    ) {
      try Self.manifest { Self.editFeature(&$0, 0) { $0["channel"] = "EtCO2" } }
    }
  }

  @Test func aZeroStandardDeviationIsRefused() throws {
    #expect(throws: ManifestError.contract(.invalidNumber(field: "feature 5 (O2Sat.z) mean/std"))) {
      try Self.manifest {
        Self.editFeature(&$0, 5) { $0["std"] = 0 }
        Self.editFeature(&$0, 5) { $0["name"] = "O2Sat.z" }
      }
    }
  }

  @Test func aNEWS2ChartThatDiffersFromTheRCPsIsRefused() throws {
    #expect(throws: ManifestError.news2ChartDiffers(parameter: "SBP")) {
      try Self.manifest {
        Self.editInput(&$0) { input in
          var news2 = input["news2_bands"] as! [String: Any]
          var bands = news2["bands"] as! [String: Any]
          bands["SBP"] = [[90, 3], [100, 2], [110, 1], [220, 0], [NSNull(), 3]]
          news2["bands"] = bands
          input["news2_bands"] = news2
        }
      }
    }
  }

  @Test func aFeatureCountThatDisagreesWithTheFeaturesIsRefused() throws {
    #expect(
      throws: ManifestError.invalidField(
        "input.feature_count", expected: "the number of input.features")
    ) {
      try Self.manifest { Self.editInput(&$0) { $0["feature_count"] = 331 } }
    }
  }

  @Test func anUnreadableOrNonJSONFileIsReportedAsSuch() throws {
    #expect {
      try RiskModelManifest(contentsOf: "/nonexistent/vigil-risk.manifest.json")
    } throws: { error in
      guard case .unreadable(let path, _) = error as? ManifestError else { return false }
      return path == "/nonexistent/vigil-risk.manifest.json"
    }
    #expect {
      try RiskModelManifest(json: Data("{\"name\": ".utf8))
    } throws: { error in
      if case .notJSON = error as? ManifestError { return true }
      return false
    }
  }
}
