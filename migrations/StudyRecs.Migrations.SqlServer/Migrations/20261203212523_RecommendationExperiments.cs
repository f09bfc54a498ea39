using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace StudyRecs.Migrations.SqlServer.Migrations
{
    /// <inheritdoc />
    public partial class RecommendationExperiments : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "RecommendationExperiments",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("SqlServer:Identity", "1, 1"),
                    Name = table.Column<string>(type: "nvarchar(100)", maxLength: 100, nullable: false),
                    StrategyA = table.Column<string>(type: "nvarchar(32)", maxLength: 32, nullable: false),
                    StrategyB = table.Column<string>(type: "nvarchar(32)", maxLength: 32, nullable: false),
                    Salt = table.Column<string>(type: "nvarchar(64)", maxLength: 64, nullable: false),
                    StartUtc = table.Column<DateTime>(type: "datetime2", nullable: false),
                    EndUtc = table.Column<DateTime>(type: "datetime2", nullable: false),
                    StoppedAtUtc = table.Column<DateTime>(type: "datetime2", nullable: true),
                    StoppedBy = table.Column<string>(type: "nvarchar(256)", maxLength: 256, nullable: true),
                    CreatedBy = table.Column<string>(type: "nvarchar(256)", maxLength: 256, nullable: false),
                    CreatedAtUtc = table.Column<DateTime>(type: "datetime2", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_RecommendationExperiments", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "RecommendationExposures",
                columns: table => new
                {
                    RequestId = table.Column<string>(type: "nvarchar(64)", maxLength: 64, nullable: false),
                    ExperimentId = table.Column<long>(type: "bigint", nullable: false),
                    Arm = table.Column<string>(type: "nvarchar(1)", maxLength: 1, nullable: false),
                    StudentId = table.Column<string>(type: "nvarchar(256)", maxLength: 256, nullable: false),
                    AtUtc = table.Column<DateTime>(type: "datetime2", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_RecommendationExposures", x => x.RequestId);
                    table.ForeignKey(
                        name: "FK_RecommendationExposures_RecommendationExperiments_ExperimentId",
                        column: x => x.ExperimentId,
                        principalTable: "RecommendationExperiments",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_RecommendationExperiments_StartUtc",
                table: "RecommendationExperiments",
                column: "StartUtc");

            migrationBuilder.CreateIndex(
                name: "IX_RecommendationExposures_ExperimentId_Arm_StudentId",
                table: "RecommendationExposures",
                columns: new[] { "ExperimentId", "Arm", "StudentId" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "RecommendationExposures");

            migrationBuilder.DropTable(
                name: "RecommendationExperiments");
        }
    }
}
