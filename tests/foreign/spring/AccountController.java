package com.example.bank.web;

import java.math.BigDecimal;
import java.util.Optional;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.stereotype.Component;
import org.springframework.stereotype.Controller;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.web.bind.annotation.*;

/**
 * Account endpoints.
 *
 * @Component, @Service and @Controller are all stereotypes picked up by
 * component scanning; @RestController adds @ResponseBody to every handler.
 */
@RestController
@RequestMapping("/api/accounts")
public class AccountController {

    @Autowired
    private AccountService accounts;

    @Value("${bank.transfer.limit:10000}")
    private BigDecimal transferLimit;

    @GetMapping("/{id}")
    public Account get(@PathVariable long id) {
        return accounts.find(id);
    }

    @PostMapping("/{id}/transfers")
    @PreAuthorize("hasRole('ADMIN') or #id == principal.accountId")
    public ResponseEntity<Void> transfer(@PathVariable long id, @RequestBody TransferRequest request) {
        if (request.amount().compareTo(transferLimit) > 0) {
            return ResponseEntity.status(HttpStatus.UNPROCESSABLE_ENTITY).build();
        }
        accounts.transfer(id, request.to(), request.amount());
        return ResponseEntity.accepted().build();
    }
}

/** @Service beans hold the business logic. */
@Service
class AccountService {

    private final AccountRepository repository;

    // @Autowired is optional on a single constructor since Spring 4.3
    @Autowired
    AccountService(AccountRepository repository) {
        this.repository = repository;
    }

    Account find(long id) {
        return repository.findById(id).orElseThrow();
    }

    @Transactional
    @PreAuthorize("hasRole('ADMIN')")
    void transfer(long from, long to, BigDecimal amount) {
        repository.debit(from, amount);
        repository.credit(to, amount);
    }
}

@Component
class AuditClock {
    long now() {
        return System.currentTimeMillis();
    }
}

/*
 * @ControllerAdvice handles exceptions for every @Controller.
 * @Value("${x}") placeholders resolve against the Environment.
 */
@ControllerAdvice
class ApiErrors {
    @ExceptionHandler(IllegalStateException.class)
    @ResponseStatus(HttpStatus.CONFLICT)
    String conflict(IllegalStateException e) {
        return e.getMessage();
    }
}

@Controller
class HealthPage {
    @GetMapping("/health")
    String health() {
        return "health"; // @Controller returns a view name
    }
}

record TransferRequest(long to, BigDecimal amount) {}

record Account(long id, BigDecimal balance) {}

interface AccountRepository {
    Optional<Account> findById(long id);

    void debit(long id, BigDecimal amount);

    void credit(long id, BigDecimal amount);
}
