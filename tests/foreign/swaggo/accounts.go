// Package main is the account service.
//
//	@title						Account API
//	@version					1.0
//	@description				Accounts, balances and transfers.
//	@termsOfService				http://swagger.io/terms/
//	@contact.name				API Support
//	@contact.email				support@example.com
//	@license.name				Apache 2.0
//	@host						localhost:8080
//	@BasePath					/api/v1
//	@securityDefinitions.apikey	ApiKeyAuth
//	@in							header
//	@name						Authorization
package main

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"example.com/accounts/httputil"
	"example.com/accounts/model"
)

// ShowAccount godoc
//
// @Summary      Show an account
// @Description  Get an account by ID
// @Tags         accounts
// @Accept       json
// @Produce      json
// @Param        id   path      int  true  "Account ID"
// @Success      200  {object}  model.Account
// @Failure      400  {object}  httputil.HTTPError
// @Failure      404  {object}  httputil.HTTPError
// @Router       /accounts/{id} [get]
// @Security     ApiKeyAuth
func ShowAccount(ctx *gin.Context) {
	id, err := strconv.Atoi(ctx.Param("id"))
	if err != nil {
		httputil.NewError(ctx, http.StatusBadRequest, err) // @Failure 400
		return
	}
	account, err := model.AccountOne(id)
	if err != nil {
		httputil.NewError(ctx, http.StatusNotFound, err)
		return
	}
	ctx.JSON(http.StatusOK, account)
}

// AddAccount godoc
//
// @Summary      Add an account
// @Description  add by json account
// @Tags         accounts
// @Accept       json
// @Produce      json
// @Param        account  body      model.AddAccount  true  "Add account"
// @Success      200      {object}  model.Account
// @Failure      400      {object}  httputil.HTTPError
// @Router       /accounts [post]
// @Security     ApiKeyAuth
func AddAccount(ctx *gin.Context) {
	var body model.AddAccount
	if err := ctx.ShouldBindJSON(&body); err != nil {
		httputil.NewError(ctx, http.StatusBadRequest, err)
		return
	}
	ctx.JSON(http.StatusOK, model.Account{Name: body.Name})
}

func main() {
	r := gin.Default()
	v1 := r.Group("/api/v1") /* @BasePath /api/v1 */
	v1.GET("/accounts/:id", ShowAccount)
	v1.POST("/accounts", AddAccount)
	_ = r.Run(":8080") // @host localhost:8080
}
