# Digital signatures (chữ ký số) on submitted PDFs: the receipt, the status, the office group.

signature-line = Chữ ký số: { $who }, ký lúc { $at }: { $integrity }; độ tin cậy của chứng thư số: { $trust }.
signature-line-no-time = Chữ ký số: { $who }, không rõ thời điểm ký: { $integrity }; độ tin cậy của chứng thư số: { $trust }.
signature-who = { $signer } ({ $organisation })
signature-who-one = { $name }
signature-who-unknown = không rõ người ký
signature-intact = không bị sửa sau khi ký
signature-modified = ⚠ CẢNH BÁO: nội dung đã bị sửa sau khi ký
signature-broken = ⚠ CẢNH BÁO: chữ ký không hợp lệ, tệp không còn đúng như lúc ký
signature-unreadable = ⚠ CẢNH BÁO: không kiểm tra được chữ ký (dữ liệu chữ ký bị lỗi hoặc định dạng không được hỗ trợ)
signature-trust-unchecked = chưa kiểm tra
signature-trust-trusted = tin cậy
signature-trust-untrusted = không tin cậy
signature-receipt-advice = Văn phòng cũng nhận được cảnh báo này. Nếu cần, hãy gửi lại bản có chữ ký số hợp lệ.
signature-office-warning =
    ⚠ Chữ ký số có vấn đề: tệp «{ $name }» của { $unit } cho báo cáo «{ $report }», phiên bản { $version } (biên nhận { $code }).
    { $problems }
signature-status-line = { "   " }✍ { $line }
cli-signature-line = { $unit }, phiên bản { $version }: { $line }
cli-error-trust-roots = BAOCAO_TRUST_ROOTS «{ $path }» không tồn tại. Đặt nó là một tệp hoặc thư mục chứng thư số gốc (PEM hoặc DER), hoặc bỏ trống.
