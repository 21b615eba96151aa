import { describe, expect, it } from "vitest";
import { ApiError, plainMessage } from "./errors";

describe("ApiError", () => {
  const err = new ApiError(
    400,
    {
      code: "ValidationFailed",
      message: "The training settings break Azure ML's rules.",
      target: "body",
      details: [
        { code: "InvalidValue", message: "maxTrials is over the tenant's quota of 100", target: "limits.maxTrials" },
        { code: "InvalidValue", message: "no such column", target: "targetColumn" },
      ],
    },
    "",
  );

  it("names the message of each field the API named", () => {
    expect(err.about("targetColumn")).toBe("no such column");
    expect(err.about("limits.maxTrials")).toMatch(/quota/);
    expect(err.about("limits")).toMatch(/quota/);
    expect(err.about("name")).toBeUndefined();
  });

  it("says the API's message in plain words, or what the status means", () => {
    expect(plainMessage(err)).toBe("The training settings break Azure ML's rules.");
    expect(plainMessage(new ApiError(412, undefined, "HTTP 412"))).toMatch(/changed it meanwhile/);
    expect(plainMessage(new ApiError(0, undefined, "HTTP 0"))).toMatch(/could not be reached/);
  });

  it("keeps the request id of a failed call, to quote when reporting it", async () => {
    const { ok, api } = await import("./client");
    const { fakeApi, json } = await import("../test/render");
    fakeApi({
      "GET /api/v1/me": () =>
        json({ error: { code: "InternalError", message: "Something failed.", target: null, details: [] } }, 500, {
          "x-ms-request-id": "req-42",
        }),
    });
    const error = await ok(api.GET("/api/v1/me")).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).requestId).toBe("req-42");
    expect(plainMessage(error)).toBe("Something failed.");
  });
});
