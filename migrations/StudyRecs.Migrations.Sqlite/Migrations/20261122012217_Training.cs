using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace StudyRecs.Migrations.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class Training : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "ModelActivationAudits",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    Task = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    FromVersion = table.Column<string>(type: "TEXT", maxLength: 14, nullable: true),
                    ToVersion = table.Column<string>(type: "TEXT", maxLength: 14, nullable: false),
                    By = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    At = table.Column<DateTimeOffset>(type: "TEXT", nullable: false),
                    Reason = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ModelActivationAudits", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "TrainingRuns",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    StartedAt = table.Column<DateTimeOffset>(type: "TEXT", nullable: false),
                    FinishedAt = table.Column<DateTimeOffset>(type: "TEXT", nullable: true),
                    Status = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Step = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    CandidateIndex = table.Column<int>(type: "INTEGER", nullable: false),
                    CandidateCount = table.Column<int>(type: "INTEGER", nullable: false),
                    DatasetIdsJson = table.Column<string>(type: "TEXT", nullable: true),
                    TrainingDatasetIdsJson = table.Column<string>(type: "TEXT", nullable: true),
                    TriggeredBy = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    Error = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: true),
                    ResultSummary = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: true),
                    Worker = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true),
                    HeartbeatAt = table.Column<DateTimeOffset>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_TrainingRuns", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "ModelRuns",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    TrainingRunId = table.Column<long>(type: "INTEGER", nullable: false),
                    Task = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Candidate = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Algorithm = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    SettingsJson = table.Column<string>(type: "TEXT", nullable: false),
                    CvMetricsJson = table.Column<string>(type: "TEXT", nullable: false),
                    DurationSeconds = table.Column<double>(type: "REAL", nullable: false),
                    Selected = table.Column<bool>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ModelRuns", x => x.Id);
                    table.ForeignKey(
                        name: "FK_ModelRuns_TrainingRuns_TrainingRunId",
                        column: x => x.TrainingRunId,
                        principalTable: "TrainingRuns",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "TrainedModels",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    Version = table.Column<string>(type: "TEXT", maxLength: 14, nullable: false),
                    Task = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Algorithm = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    SettingsJson = table.Column<string>(type: "TEXT", nullable: false),
                    MetricsJson = table.Column<string>(type: "TEXT", nullable: false),
                    FeatureSchemaJson = table.Column<string>(type: "TEXT", nullable: false),
                    Artifact = table.Column<byte[]>(type: "BLOB", nullable: false),
                    ArtifactSha256 = table.Column<string>(type: "TEXT", fixedLength: true, maxLength: 64, nullable: false),
                    CreatedBy = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "TEXT", nullable: false),
                    IsActive = table.Column<bool>(type: "INTEGER", nullable: false),
                    ActivatedAt = table.Column<DateTimeOffset>(type: "TEXT", nullable: true),
                    ActivatedBy = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true),
                    ActivationReason = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true),
                    NotActivatedReason = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true),
                    TrainingRunId = table.Column<long>(type: "INTEGER", nullable: true),
                    RowsUsed = table.Column<int>(type: "INTEGER", nullable: false),
                    DatasetIdsJson = table.Column<string>(type: "TEXT", nullable: false),
                    DataHash = table.Column<string>(type: "TEXT", fixedLength: true, maxLength: 64, nullable: false),
                    DurationSeconds = table.Column<double>(type: "REAL", nullable: false),
                    SelectionMetric = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    SelectionScore = table.Column<double>(type: "REAL", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_TrainedModels", x => x.Id);
                    table.ForeignKey(
                        name: "FK_TrainedModels_TrainingRuns_TrainingRunId",
                        column: x => x.TrainingRunId,
                        principalTable: "TrainingRuns",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.SetNull);
                });

            migrationBuilder.CreateIndex(
                name: "IX_ModelActivationAudits_Task_Id",
                table: "ModelActivationAudits",
                columns: new[] { "Task", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_ModelRuns_TrainingRunId_Task",
                table: "ModelRuns",
                columns: new[] { "TrainingRunId", "Task" });

            migrationBuilder.CreateIndex(
                name: "IX_TrainedModels_Task_Active",
                table: "TrainedModels",
                column: "Task",
                unique: true,
                filter: "\"IsActive\" = TRUE");

            migrationBuilder.CreateIndex(
                name: "IX_TrainedModels_Task_Version",
                table: "TrainedModels",
                columns: new[] { "Task", "Version" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_TrainedModels_TrainingRunId",
                table: "TrainedModels",
                column: "TrainingRunId");

            migrationBuilder.CreateIndex(
                name: "IX_TrainingRuns_Status",
                table: "TrainingRuns",
                column: "Status");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "ModelActivationAudits");

            migrationBuilder.DropTable(
                name: "ModelRuns");

            migrationBuilder.DropTable(
                name: "TrainedModels");

            migrationBuilder.DropTable(
                name: "TrainingRuns");
        }
    }
}
